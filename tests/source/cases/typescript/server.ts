// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
import * as https from 'https';
import fastify from 'fastify';

const PORT: number = 8443;
const srv = https.createServer({});
srv.listen(PORT); // EXPECT: all-interfaces - 8443
srv.listen(PORT, '127.0.0.1' as string); // EXPECT: loopback 127.0.0.1 8443
const f = fastify();
f.listen({ port: 3000 }); // EXPECT: loopback - 3000
f.listen({ port: 3001, host: '0.0.0.0' }); // EXPECT: all-interfaces 0.0.0.0 3001
function start(bindHost: string = '0.0.0.0') {
  srv.listen(4000, bindHost); // EXPECT: all-interfaces 0.0.0.0 4000
}
