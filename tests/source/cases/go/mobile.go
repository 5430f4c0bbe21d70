// Expected facts: "EXPECT: <bind> <address|-> <port|->" on the line; other lines stay quiet.
// A gomobile-style package: Start is exported and has no caller in the tree (the app calls it
// through the generated Java / Objective-C binding), so its port is unknown, with that reason.
package mobile

import (
	"net"
	"strconv"

	"google.golang.org/grpc"
)

func Start(port int) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port)) // EXPECT: all-interfaces 0.0.0.0 -
	if err != nil {
		return err
	}
	return ln.Close()
}

func ServeGRPC() error {
	lis, err := net.Listen("tcp", "127.0.0.1:50051") // EXPECT: loopback 127.0.0.1 50051
	if err != nil {
		return err
	}
	s := grpc.NewServer()
	return s.Serve(lis)
}
