// Command p2pdesk is a terminal client for P2P crypto trading settled over
// Alipay, with a practice marketplace it can run on this machine. See
// README.md; the commands are in package cmd.
package main

import (
	"os"

	"p2pdesk/cmd"
)

func main() { os.Exit(cmd.Execute()) }
