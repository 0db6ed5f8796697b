package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes this test binary double as the supctl binary: testscript
// puts it on $PATH as "supctl", so scripts and fixture tests run the real
// main with real flags, files, stdout, stderr and exit codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"supctl": main,
	})
}

// TestScripts runs the txtar scripts under testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SUPCTL_TODAY", "2026-11-25")
			root, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("FIXTURES", root+"/../../fixtures")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":        cmdExits,
			"unprivileged": cmdUnprivileged,
			"listen":       cmdListen,
			"accepted":     cmdAccepted,
		},
	})
}

// cmdExits runs a command and checks its exact exit status:
//
//	exits 3 supctl vet --bogus
//
// stdout and stderr are kept for the assertions that follow.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARG...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// cmdUnprivileged is exits for a command that must not run as root, whom
// file modes do not stop:
//
//	unprivileged 1 supctl vet unreadable
//
// As root it runs the command as user nobody (setpriv), from a copy of the
// program in $WORK, after making the directories above $WORK traversable;
// as anyone else it is exits.
func cmdUnprivileged(ts *testscript.TestScript, neg bool, args []string) {
	if os.Geteuid() != 0 {
		cmdExits(ts, neg, args)
		return
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: unprivileged CODE COMMAND [ARG...]")
	}
	work := ts.Getenv("WORK")
	for d := work; d != filepath.Dir(d); d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		ts.Check(err)
		if fi.Mode().Perm()&0o001 == 0 {
			ts.Check(os.Chmod(d, fi.Mode().Perm()|0o011))
		}
	}
	prog, err := exec.LookPath(args[1])
	ts.Check(err)
	real, err := filepath.EvalSymlinks(prog)
	ts.Check(err)
	bin := filepath.Join(work, ".unprivileged", filepath.Base(prog))
	ts.Check(os.MkdirAll(filepath.Dir(bin), 0o755))
	// A hard link, not a copy: a file this process just wrote can still be
	// open for writing in a child forked meanwhile by a parallel script,
	// and exec then fails with "text file busy".
	if err := os.Link(real, bin); err != nil && !errors.Is(err, fs.ErrExist) {
		ts.Fatalf("unprivileged: link %s into $WORK: %v", real, err)
	}
	cmdExits(ts, false, append([]string{args[0], "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", bin}, args[2:]...))
}
