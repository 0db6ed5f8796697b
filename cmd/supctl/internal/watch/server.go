package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Server serves /metrics, /healthz and, when given, the live page at /.
type Server struct {
	srv *http.Server
	ln  net.Listener
	err chan error
}

// Listen starts serving m's metrics and a liveness check on addr (port 0
// picks a free port; see Addr), and page at / when it is not nil.
func Listen(addr string, m *Metrics, page http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !m.Healthy() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "repo tree lost: a watched directory is gone; waiting for it to come back\n")
			return
		}
		io.WriteString(w, "ok\n")
	})
	if page != nil {
		mux.Handle("GET /{$}", page)
	}
	s := &Server{
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		ln:  ln,
		err: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.err <- err
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops the server, letting requests in flight finish until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("metrics: shutdown: %w", err)
	}
	if err := <-s.err; err != nil {
		return fmt.Errorf("metrics: serve: %w", err)
	}
	return nil
}
