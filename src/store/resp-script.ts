// A cheaper wire encoding for one big script command (the admission script: ~40 arguments, two of
// them binary, BullMQ's msgpack). As soon as one argument is a Buffer, ioredis's Command#toWritable
// encodes every argument on its own (Buffer.byteLength three times and one Buffer#write each): ~14 µs
// per admission, ~6 % of the API's time on POST /v1/diagnostics. encodeCommand() writes the same
// bytes (RESP2 array of bulk strings, https://redis.io/docs/latest/develop/reference/protocol-spec/)
// with a few native calls; fastScript() makes one defined script command use it, keeping ioredis's
// own behaviour for scripts (EVAL on the first use per connection, EVALSHA after, EVAL again after
// NOSCRIPT), which is re-implemented here because it lives in the class being replaced.
// test/unit/resp-script.test.ts holds encodeCommand() to ioredis's bytes.
import { Command } from 'ioredis';
import type { RedisClient } from './redis.js';

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const byteLength = (s: string) => (ASCII.test(s) ? s.length : Buffer.byteLength(s));

/** RESP encoding of `name args…`: a string when every argument is a string (as ioredis), else one Buffer. */
export function encodeCommand(name: string, args: ReadonlyArray<string | Buffer>): string | Buffer {
  let head = `*${args.length + 1}\r\n$${byteLength(name)}\r\n${name}\r\n`;
  let parts: Array<string | Buffer> | undefined;
  for (const a of args) {
    if (!Buffer.isBuffer(a)) {
      const s = String(a);
      head += `$${byteLength(s)}\r\n${s}\r\n`;
    } else {
      (parts ??= []).push(`${head}$${a.length}\r\n`, a);
      head = '\r\n';
    }
  }
  if (!parts) return head;
  parts.push(head);
  let total = 0;
  const lengths = parts.map((p) => (typeof p === 'string' ? byteLength(p) : p.length));
  for (const l of lengths) total += l;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  parts.forEach((p, i) => {
    if (typeof p === 'string') out.write(p, at, 'utf8');
    else p.copy(out, at);
    at += lengths[i];
  });
  return out;
}

interface ScriptShape { lua: string; sha: string; Command: typeof Command }

/**
 * Makes the script command `name` (defined with defineCommand on `redis`) encode with
 * encodeCommand(). Returns false, changing nothing, when ioredis's script object is not the shape
 * this was written against (ioredis 5–6 Script: lua, sha, Command).
 */
export function fastScript(redis: RedisClient, name: string): boolean {
  const script = (redis as unknown as { scriptsSet?: Record<string, Partial<ScriptShape>> }).scriptsSet?.[name];
  if (!script || typeof script.lua !== 'string' || typeof script.sha !== 'string' || typeof script.Command !== 'function') return false;
  if (!(script.Command.prototype instanceof Command) || typeof Command.prototype.toWritable !== 'function') return false;
  const { lua, sha } = script as ScriptShape;
  // Connections that have been sent this script's EVAL (ioredis Script: socketHasScriptLoaded).
  const loaded = new WeakSet<object>();
  script.Command = class FastScriptCommand extends Command {
    override toWritable(socket: object): string | Buffer {
      const reject = this.reject;
      this.reject = (err: Error) => {
        if (err.message.includes('NOSCRIPT')) loaded.delete(socket);
        reject.call(this, err);
      };
      const self = this as unknown as { name: string; args: Array<string | Buffer> };
      if (!loaded.has(socket)) {
        loaded.add(socket);
        self.name = 'eval';
        self.args[0] = lua;
      } else if (self.name === 'eval') {
        self.name = 'evalsha';
        self.args[0] = sha;
      }
      return encodeCommand(self.name, self.args);
    }
  };
  return true;
}
