// Expected facts: "EXPECT: <bind> <address|-> <port|->" on the line; other lines stay quiet.
package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"os"
)

const listenAddr = "127.0.0.1:9000"

var public = ":9001"

func main() {
	net.Listen("tcp", ":8080")                // EXPECT: all-interfaces 0.0.0.0 8080
	net.Listen("tcp", "0.0.0.0:2000")         // EXPECT: all-interfaces 0.0.0.0 2000
	net.Listen("tcp", listenAddr)             // EXPECT: loopback 127.0.0.1 9000
	net.Listen("tcp", public)                 // EXPECT: all-interfaces 0.0.0.0 9001
	net.Listen("tcp6", "[::1]:9002")          // EXPECT: loopback ::1 9002
	net.Listen("tcp", "192.168.1.5:9003")     // EXPECT: specific 192.168.1.5 9003
	net.ListenPacket("udp", ":5353")          // EXPECT: all-interfaces 0.0.0.0 5353
	net.ListenPacket("udp", ":0")
	tls.Listen("tcp", "0.0.0.0:443", nil)     // EXPECT: all-interfaces 0.0.0.0 443
	http.ListenAndServe(":3000", nil)         // EXPECT: all-interfaces 0.0.0.0 3000
	http.ListenAndServe("localhost:3001", nil) // EXPECT: loopback localhost 3001
	net.Listen("unix", "/tmp/x.sock")         // EXPECT: unix /tmp/x.sock -
	addr := ":" + os.Getenv("PORT")
	net.Listen("tcp", addr)                   // EXPECT: all-interfaces 0.0.0.0 -
	host := os.Getenv("HOST")
	net.Listen("tcp", host)                   // EXPECT: unknown - -
	net.ListenTCP("tcp", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 7000}) // EXPECT: loopback 127.0.0.1 7000
	net.ListenTCP("tcp", &net.TCPAddr{Port: 7001}) // EXPECT: all-interfaces 0.0.0.0 7001
	srv := &http.Server{Addr: ":8443"}
	srv.ListenAndServeTLS("c", "k")           // EXPECT: all-interfaces 0.0.0.0 8443
	net.Dial("tcp", "0.0.0.0:80")
	serve("0.0.0.0:7002")                     // EXPECT: all-interfaces 0.0.0.0 7002
}

func serve(a string) {
	net.Listen("tcp", a)
}

func defaultServer() {
	s := &http.Server{Handler: nil}
	s.ListenAndServe() // EXPECT: all-interfaces - 80
	net.ListenUnix("unix", &net.UnixAddr{Name: "/tmp/u.sock", Net: "unix"}) // EXPECT: unix /tmp/u.sock -
}
