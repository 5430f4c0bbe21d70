const { start } = require('./lib/server');
start(3000, '0.0.0.0');
