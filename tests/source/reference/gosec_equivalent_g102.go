// Equivalent cases for gosec G102 ("Bind to all interfaces"), written for portaudit from the rule's
// documented samples (not a copy: gosec's testutils are not in any registry used here).
package main

import (
	"log"
	"net"
)

func explicitAll() {
	l, err := net.Listen("tcp", "0.0.0.0:41001") // REF: alert  EXPECT: all-interfaces 0.0.0.0 41001
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
}

func implicitAll() {
	l, err := net.Listen("tcp", ":41002") // REF: alert  EXPECT: all-interfaces 0.0.0.0 41002
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
}

func parsedFirst() {
	addr, _ := net.ResolveTCPAddr("tcp", "0.0.0.0:41003")
	l, err := net.ListenTCP("tcp", addr) // REF: alert  EXPECT: all-interfaces 0.0.0.0 41003
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
}

func localOnly() {
	l, err := net.Listen("tcp", "127.0.0.1:41004") // EXPECT: loopback 127.0.0.1 41004
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
}
