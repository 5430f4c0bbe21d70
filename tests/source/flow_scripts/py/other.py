import net
net.serve("127.0.0.1", 8001)
