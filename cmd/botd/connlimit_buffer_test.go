package main

import (
	"net"
	"syscall"
	"testing"
)

// TestAcceptedConnHasSmallReadBuffer: every accepted connection has a fixed
// kernel receive buffer, so a client that sends faster than botd reads
// waits with its data in its own socket (Linux reports twice the size set;
// autotuning would grow it to megabytes).
func TestAcceptedConnHasSmallReadBuffer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(ln, 10, 0, 64, nil, func(string) {}, func(int) {})
	defer l.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			defer c.Close()
			buf := make([]byte, 1)
			_, _ = c.Read(buf) // until the test closes the listener's side
		}
	}()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.(*limitedConn).Conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var size int
	var serr error
	if err := raw.Control(func(fd uintptr) { size, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF) }); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	if size > 2*socketReadBuffer {
		t.Errorf("SO_RCVBUF = %d; want at most %d (2 × %d)", size, 2*socketReadBuffer, socketReadBuffer)
	}
}
