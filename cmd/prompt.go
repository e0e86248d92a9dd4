package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// input is standard input read line by line through one buffer, so that
// answers piped in ("printf 'key\nsecret\n' | p2pdesk login") each reach
// their own question.
func (a *app) input() *bufio.Reader {
	if a.lines == nil {
		a.lines = bufio.NewReader(a.in)
	}
	return a.lines
}

// readLine asks for a visible line.
func (a *app) readLine(prompt string) (string, error) {
	fmt.Fprint(a.errOut, prompt)
	s, err := a.input().ReadString('\n')
	if err != nil && s == "" {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// readSecret asks for a secret: without echo on a terminal; from a pipe,
// the next line, as readLine.
func (a *app) readSecret(prompt string) (string, error) {
	if f, ok := a.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.errOut, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.errOut)
		return strings.TrimSpace(string(b)), err
	}
	return a.readLine(prompt)
}

// readTerminalSecret asks for a secret on the terminal only: the secrets
// file's passphrase must not be taken from a pipe meant for the verb.
func (a *app) readTerminalSecret(prompt string) (string, error) {
	if f, ok := a.in.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("a passphrase is needed but standard input is not a terminal: set P2PDESK_SECRETS_PASSPHRASE")
	}
	return a.readSecret(prompt)
}
