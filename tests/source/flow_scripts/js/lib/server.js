const http = require('http');
function start(port, host) {
  http.createServer().listen(port, host);
}
module.exports = { start };
