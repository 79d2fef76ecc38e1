package cli

import (
	"fmt"
	"os"
)

// runBench is a placeholder until the bench command is written.
func runBench(args []string) int {
	fmt.Fprintln(os.Stderr, "vibereport bench: not available in this build")
	return exitError
}
