// Command supd is the update point agent: it serves one server's
// update-point configuration over an authenticated HTTP API (SPEC §6).
//
//	supd --listen ADDR --state FILE [--init FILE] --token-file FILE [--tls-cert F --tls-key F] [--insecure-listen]
//	     [--backend sim] [--latency D] [--fail-rate P] [--crash-after-ops N] [--seed N]
//	supd ... --backend windows --runner local|winrm [--host H] [--winrm-credentials-file F]
//	     [--winrm-ca-cert F] [--runner-timeout D] [--read-cache D] [--log-file F]
//
// On Windows it also runs as a service (started by the service manager; Stop
// and Shutdown stop it gracefully), logging to --log-file.
//
// It prints "listening on http(s)://HOST:PORT" on stdout once it accepts
// connections, and stops gracefully on SIGINT or SIGTERM. Exit status: 0
// after a graceful stop (and for --help, --version), 1 on an error, 3 for a
// usage error (as supctl's) and when another process holds the state
// file's lock (FILE.lock, which names the holder's pid; SPEC §6), 10 when
// --crash-after-ops is reached.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/supctl/supctl/cmd/internal/buildinfo"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd"
)

// Exit statuses besides 0 and 1.
const (
	exitUsage  = 3  // bad flags or arguments, as supctl's exit 3
	exitLocked = 3  // another process holds the state file's lock (SPEC §6)
	exitCrash  = 10 // --crash-after-ops reached (fault injection)
)

func main() {
	if code, ok := runService(os.Args[1:]); ok { // started by the Windows service manager
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs supd until ctx is done and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("supd", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8443", "address to listen on (port 0 picks a free one)")
	state := fs.String("state", "", "state file (required)")
	initFile := fs.String("init", "", "starting server document (JSON), used when the state file does not exist")
	tokenFile := fs.String("token-file", "", "token file of NAME SCOPE TOKEN lines, mode 0600 (required)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, serve https")
	tlsKey := fs.String("tls-key", "", "TLS private key (PEM), mode 0600")
	insecureListen := fs.Bool("insecure-listen", false, "allow a non-loopback --listen address without TLS (tokens then cross the network in clear)")
	bf := addBackendFlags(fs)
	latency := fs.Duration("latency", 0, "delay added before every /v1/ request")
	failRate := fs.Float64("fail-rate", 0, "probability (0–1) of answering a /v1/ request 503 before doing anything")
	crashAfter := fs.Int("crash-after-ops", 0, "exit (status 10) after persisting the Nth applied op, before answering it")
	eventsKeep := fs.Int("events-keep", supd.DefaultEventsKeep, "audit events kept: past this many (plus a tenth) the log is compacted, keeping a starting document")
	seed := fs.Uint64("seed", 0, "seed of the fault injection's random source (0: random)")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	logFile := fs.String("log-file", "", "append the logs to FILE instead of stderr (a Windows service has no stderr)")
	showVersion := fs.Bool("version", false, "print the version, commit and Go version, and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "supd: %v (see --help)\n", err)
		return exitUsage
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "supd: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case *showVersion:
		fmt.Fprintf(stdout, "supd %s\n", buildinfo.Get())
		return 0
	case fs.NArg() > 0:
		return usage("unexpected arguments: %v", fs.Args())
	case *state == "":
		return usage("--state is required")
	case *tokenFile == "":
		return usage("--token-file is required")
	case bf.check(*initFile) != nil:
		return usage("%v", bf.check(*initFile))
	case (*tlsCert == "") != (*tlsKey == ""):
		return usage("--tls-cert and --tls-key go together")
	case *tlsCert == "" && !*insecureListen && !loopback(*listen):
		return usage("--listen %s is not a loopback address: serve it with --tls-cert and --tls-key, or pass --insecure-listen to send tokens in clear", *listen)
	case *logFormat != "text" && *logFormat != "json":
		return usage("--log-format %q: text or json", *logFormat)
	case *failRate < 0 || *failRate > 1:
		return usage("--fail-rate %v is outside 0–1", *failRate)
	case *latency < 0 || *crashAfter < 0:
		return usage("--latency and --crash-after-ops must not be negative")
	case *eventsKeep < 1:
		return usage("--events-keep %d must be at least 1", *eventsKeep)
	}

	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return usage("--log-file: %v", err)
		}
		defer f.Close()
		stderr = f
	}
	var log *slog.Logger
	if *logFormat == "json" {
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	} else {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	fail := func(err error) int {
		log.Error("supd stopped", "err", err)
		return 1
	}

	tokens, err := supd.LoadTokens(*tokenFile)
	if err != nil {
		return fail(err)
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		cert, err := loadKeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fail(fmt.Errorf("load TLS key pair: %w", err))
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var init *api.Server
	if *initFile != "" {
		data, err := os.ReadFile(*initFile)
		if err != nil {
			return fail(fmt.Errorf("read init document: %w", err))
		}
		init = new(api.Server)
		if err := api.DecodeStrict(bytes.NewReader(data), init); err != nil {
			return fail(fmt.Errorf("decode init document %s: %w", *initFile, err))
		}
	}
	backend, err := bf.newBackend()
	if err != nil {
		return fail(err)
	}
	srv, err := supd.New(supd.Options{
		Backend:        backend,
		ReadCache:      bf.readCache,
		BackendTimeout: bf.timeout,
		StatePath:      *state,
		Init:           init,
		Tokens:         tokens,
		Latency:        *latency,
		FailRate:       *failRate,
		CrashAfterOps:  *crashAfter,
		Crash:          func() { os.Exit(exitCrash) },
		Seed:           *seed,
		EventsKeep:     *eventsKeep,
		Logger:         log,
	})
	if _, ok := errors.AsType[*supd.LockedError](err); ok {
		log.Error("supd not started", "err", err)
		return exitLocked
	}
	if errors.Is(err, supd.ErrNoState) {
		return fail(fmt.Errorf("%w: pass --init FILE, a starting server document (SPEC §6.1), to create it", err))
	}
	if err != nil {
		return fail(err)
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fail(fmt.Errorf("listen: %w", err))
	}
	scheme := "http"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())
	if err := srv.Serve(ctx, ln); err != nil {
		return fail(err)
	}
	log.Info("supd stopped")
	return 0
}

// loopback reports whether the host of listen (HOST:PORT) is a loopback
// address or "localhost". An empty host (all interfaces) is not.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loadKeyPair loads the TLS certificate and key, refusing a key file that
// group or others may access (supd.ReadPrivateFile).
func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := supd.ReadPrivateFile(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}
