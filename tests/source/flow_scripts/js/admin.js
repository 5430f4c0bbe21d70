const { start } = require('./lib/server');
start(3001, 'localhost');
