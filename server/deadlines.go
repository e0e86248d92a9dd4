package server

import (
	"net/http"
	"time"
)

// DefaultStreamWriteTimeout bounds one write to an event stream when the
// server's options set none: a stream whose reader stopped reading is cut
// after it, like any slow client.
const DefaultStreamWriteTimeout = 30 * time.Second

// deadlineWriter is an event stream's writer. The HTTP server's read and
// write timeouts bound a whole request; a stream lives for hours, so it
// moves the write deadline forward before each write instead. (net/http
// lifts the read deadline itself once the body is read; the stream lifts
// it too, so that does not rest on an implementation detail.)
type deadlineWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (s *Server) streamWriter(w http.ResponseWriter) *deadlineWriter {
	d := s.opts.StreamWriteTimeout
	if d <= 0 {
		d = DefaultStreamWriteTimeout
	}
	rc := http.NewResponseController(w)
	// Errors mean the writer cannot move deadlines (a test recorder): then
	// there are none to move.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(d))
	return &deadlineWriter{ResponseWriter: w, rc: rc, d: d}
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.d))
	return w.ResponseWriter.Write(b)
}
