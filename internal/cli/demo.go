package cli

import (
	"fmt"
	"os"
)

// runDemo is a placeholder until the demo command is written.
func runDemo(args []string) int {
	fmt.Fprintln(os.Stderr, "vibereport demo: not available in this build")
	return exitError
}
