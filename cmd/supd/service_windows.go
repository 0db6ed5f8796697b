//go:build windows

package main

import (
	"context"
	"io"
	"os"

	"golang.org/x/sys/windows/svc"
)

// runService runs supd as a Windows service when the service manager
// started the process (ok false otherwise, then supd runs in the console).
// A Stop or Shutdown request stops it gracefully, as Ctrl+C does in a
// console. A service has no console: give it --log-file.
func runService(args []string) (code int, ok bool) {
	is, err := svc.IsWindowsService()
	if err != nil || !is {
		return 0, false
	}
	h := &service{args: args}
	if err := svc.Run("supd", h); err != nil {
		return 1, true
	}
	return h.code, true
}

type service struct {
	args []string
	code int
}

// Execute implements svc.Handler.
func (s *service) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, s.args, io.Discard, os.Stderr) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
				s.code = <-done
				return s.code != 0, uint32(s.code)
			}
		case s.code = <-done:
			return s.code != 0, uint32(s.code)
		}
	}
}
