// Command vibereport reports what Viber campaigns did, from provider status
// callbacks. Run "vibereport help" for its commands.
package main

import (
	"os"

	"github.com/vibereport/vibereport/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
