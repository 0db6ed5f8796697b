// Command drift makes an out-of-band change on one supd server for the
// demo, the way a colleague clicking in IIS Manager would: it sends one
// operation without a lease or If-Match.
//
//	SUPCTL_TOKEN=... drift URL OP ARGS-JSON
//	drift http://127.0.0.1:40123 iis.setSslFlags '{"vroot":"ClientWebService","flags":[]}'
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "drift:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: SUPCTL_TOKEN=... drift URL OP ARGS-JSON")
	}
	c, err := client.New(args[0], client.Options{Token: os.Getenv("SUPCTL_TOKEN")})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.Op(ctx, -1, "", api.Op{Op: args[1], Args: json.RawMessage(args[2])})
	if err != nil {
		return err
	}
	fmt.Printf("%s is now at version %d\n", st.Server.FQDN, st.Version)
	return nil
}
