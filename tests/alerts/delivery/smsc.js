// An independent SMSC for the tests and the benchmark: the npm `smpp` package's server on loopback.
// It accepts binds, answers every submit_sm with a message id and appends what it received to a JSON-lines
// log (argv[3]), so duplicates are counted here, at the receiving side, not in our tables.
// A small HTTP control port sends what a real SMSC would: delivery receipts and mobile-originated replies.
// With "auto" it sends a DELIVRD receipt for every submit by itself, as operators do; receipts for which no
// client is bound wait and go to the next one that binds (an SMSC keeps them for the account).
//   node smsc.js <smpp-port|0> <log-file> [auto]   → prints {"smpp": port, "control": port} on stdout
'use strict';
const fs = require('fs');
const http = require('http');
const smpp = require('smpp');

const logFile = process.argv[3];
const auto = process.argv[4] === 'auto';
const waiting = [];  // deliver_sm for which no session was bound
const out = fs.openSync(logFile, 'a');
let nextId = 1;
const sessions = [];
const submits = {};  // message id → what was submitted (for receipts)

const server = smpp.createServer(function (session) {
  session.on('error', function () {});
  for (const bind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
    session.on(bind, function (pdu) {
      session.send(pdu.response());
      sessions.push(session);
      while (waiting.length) send(session, waiting.shift());
    });
  }
  session.on('enquire_link', function (pdu) { session.send(pdu.response()); });
  session.on('unbind', function (pdu) { session.send(pdu.response()); session.close(); });
  session.unacked = new Set();  // deliver_sm not yet answered: given to the next client if this one dies
  session.on('close', function () {
    const i = sessions.indexOf(session);
    if (i >= 0) sessions.splice(i, 1);
    session.unacked.forEach(function (f) { deliver(f); });
    session.unacked.clear();
  });
  session.on('submit_sm', function (pdu) {
    const id = 'S' + (nextId++);
    const sm = pdu.short_message || {};
    const udh = (sm.udh || []).map(function (b) { return b.toString('hex'); });
    const rec = {id: id, dest: pdu.destination_addr, src: pdu.source_addr, data_coding: pdu.data_coding,
      esm_class: pdu.esm_class, registered_delivery: pdu.registered_delivery, udh: udh,
      text: typeof sm.message === 'string' ? sm.message : String(sm.message || '')};
    submits[id] = rec;
    fs.writeSync(out, JSON.stringify(rec) + '\n');  // recorded before the answer: a killed client still counts
    session.send(pdu.response({message_id: id}));
    if (auto && pdu.registered_delivery) setTimeout(function () { receipt(id, 'DELIVRD'); }, 50);
  });
});

function send(session, fields) {
  session.unacked.add(fields);
  session.deliver_sm(fields, function () { session.unacked.delete(fields); });
}

function deliver(fields) {
  const session = sessions[sessions.length - 1];
  if (!session) { waiting.push(fields); return true; }
  send(session, fields);
  return true;
}

function receipt(id, stat) {
  const s = submits[id];
  if (!s) return false;
  const text = 'id:' + id + ' sub:001 dlvrd:' + (stat === 'DELIVRD' ? '001' : '000') +
    ' submit date:2612051200 done date:2612051201 stat:' + stat + ' err:000 text:';
  return deliver({source_addr: s.dest, destination_addr: s.src, esm_class: 0x04, short_message: text,
    receipted_message_id: id, message_state: stat === 'DELIVRD' ? 2 : 5});
}

const control = http.createServer(function (req, res) {
  let body = '';
  req.on('data', function (c) { body += c; });
  req.on('end', function () {
    const q = body ? JSON.parse(body) : {};
    let ok = false;
    if (req.url === '/receipt') {  // {id, stat: DELIVRD|UNDELIV|...}
      ok = receipt(q.id, q.stat || 'DELIVRD');
    } else if (req.url === '/mo') {  // {from, to, text}: a reply from a phone
      ok = deliver({source_addr: q.from, destination_addr: q.to || '', esm_class: 0, data_coding: 8,
        short_message: {message: q.text}});
    }
    res.writeHead(ok ? 200 : 409, {'Content-Type': 'application/json'});
    res.end(JSON.stringify({ok: ok}));
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', function () {
  control.listen(0, '127.0.0.1', function () {
    process.stdout.write(JSON.stringify({smpp: server.address().port, control: control.address().port}) + '\n');
  });
});
process.on('SIGTERM', function () { process.exit(0); });
