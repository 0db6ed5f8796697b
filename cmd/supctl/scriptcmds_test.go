package main

import (
	"net"
	"strconv"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// listeners are the listeners of the scripts' "listen" commands, by script
// and name.
var listeners sync.Map // *testscript.TestScript → map[string]*net.TCPListener

// cmdListen opens a TCP listener on loopback that accepts nothing by
// itself and puts its host:port in $NAME:
//
//	listen TRAP
//
// "accepted TRAP N" then checks how many connections reached it.
func cmdListen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: listen NAME")
	}
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	ts.Check(err)
	ts.Defer(func() { l.Close() })
	m, _ := listeners.LoadOrStore(ts, map[string]*net.TCPListener{})
	m.(map[string]*net.TCPListener)[args[0]] = l
	ts.Setenv(args[0], l.Addr().String())
}

// cmdAccepted checks the number of connections waiting on a "listen"
// listener (and takes them off its queue): connections a finished command
// made are queued by the kernel, so the count is exact once the command has
// exited (no waiting). With "!", the number must differ.
//
//	accepted TRAP 0
//	! accepted TRAP 0
func cmdAccepted(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: accepted NAME N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	m, ok := listeners.Load(ts)
	l := map[string]*net.TCPListener(nil)
	if ok {
		l = m.(map[string]*net.TCPListener)
	}
	if l[args[0]] == nil {
		ts.Fatalf("accepted: no listener %s", args[0])
	}
	rc, err := l[args[0]].SyscallConn()
	ts.Check(err)
	got := 0
	ts.Check(rc.Control(func(fd uintptr) { got = acceptPending(fd) }))
	switch {
	case !neg && got != want:
		ts.Fatalf("%d connections reached %s, want %d", got, args[0], want)
	case neg && got == want:
		ts.Fatalf("%d connections reached %s, want another number", got, args[0])
	}
	ts.Logf("%d connections reached %s", got, args[0])
}
