package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) addTUIFlags(root *cobra.Command) {}

func (a *app) runTUI(cmd *cobra.Command) error {
	return errors.New("the terminal app is not built yet")
}

func (a *app) addMoreCommands(root *cobra.Command) {}
