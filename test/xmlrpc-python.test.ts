/**
 * The XML-RPC API against a client nobody here wrote: Python 3's xmlrpc.client, spawned, talking
 * to a real `remotetask serve` over HTTP with Basic authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { runPython } from './helpers/run-process.js';
import { e2eConfig, type RunningServer, startRemotetaskServer } from './helpers/start-remotetask-server.js';

let server: RunningServer;
/** `http://alice:…@127.0.0.1:port/xmlrpc/%40RootTaskService`, as Python's ServerProxy takes credentials. */
let endpoint: (user: string, password: string, address?: string) => string;

beforeAll(async () => {
  const passwordHash = await hashPassword('alice-secret', { N: 1024, r: 8, p: 1 });
  server = await startRemotetaskServer(
    e2eConfig({ http: { users: { alice: { role: 'manager', passwordHash }, bob: { role: 'viewer', passwordEnv: 'BOB_PASSWORD' } } } }),
    { env: { BOB_PASSWORD: 'bob-secret' } },
  );
  endpoint = (user, password, address = '%40RootTaskService') => server.url.replace('http://', `http://${user}:${password}@`) + `/xmlrpc/${address}`;
});
afterAll(async () => {
  await server?.stop();
});

/** Runs `body` with `proxy` bound to the endpoint; the script prints one JSON document. */
async function python(body: string, url = endpoint('alice', 'alice-secret'), more: string[] = []): Promise<Record<string, unknown>> {
  const script = [
    'import json, sys, time, xmlrpc.client',
    'proxy = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True)',
    'def fault(call):',
    '    try:',
    '        call()',
    '        return None',
    '    except xmlrpc.client.Fault as error:',
    '        return {"faultCode": error.faultCode, "faultString": error.faultString}',
    '    except xmlrpc.client.ProtocolError as error:',
    '        return {"protocolError": error.errcode}',
    'def wait_until_final(jobid):',
    '    deadline = time.monotonic() + 10',
    '    while proxy.getStatus(jobid) not in ("completed", "error", "cancelled"):',
    '        if time.monotonic() > deadline:',
    '            raise RuntimeError("job %d did not finish" % jobid)',
    '        time.sleep(0.02)',
    body,
  ].join('\n');
  const result = await runPython(script, [url, ...more]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('Python\'s xmlrpc.client', () => {
  it('adds a job, waits for it, and reads status, result and error as the seed', async () => {
    const out = await python(`
jobid = proxy.add("echo", {"foo": "bar", "n": [1, 2.5, True, None]})
wait_until_final(jobid)
print(json.dumps({"jobid": jobid, "status": proxy.getStatus(jobid), "result": proxy.getResult(jobid), "error": proxy.getError(jobid)}))
`);
    expect(out).toEqual({ jobid: expect.any(Number), status: 'completed', result: { foo: 'bar', n: [1, 2.5, true, null] }, error: 'None' });
  });

  it('reads a failed job\'s error and cancels a waiting one', async () => {
    const out = await python(`
failing = proxy.add("fail", None)
wait_until_final(failing)
later = proxy.add("steps", {"steps": 1})
cancelled = proxy.cancel(later)
print(json.dumps({"status": proxy.getStatus(failing), "error": proxy.getError(failing), "cancel": cancelled, "after": proxy.getStatus(later)}))
`);
    expect(out.status).toBe('error');
    expect(out.error).toBe('this task always fails');
    expect(out.cancel).toBe(true);
    expect(['cancelled', 'completed']).toContain(out.after);
  });

  it('lists the tasks and introspects the methods', async () => {
    const out = await python(`
print(json.dumps({
  "tasks": proxy.getAvailableTasks(),
  "methods": proxy.system.listMethods(),
  "bare": proxy.listMethods(),
  "help": proxy.system.methodHelp("getError"),
  "signature": proxy.system.methodSignature("add"),
}))
`);
    expect(out.tasks).toEqual({ echo: 'Returns its input unchanged.', fail: 'Always fails.', greet: 'Greets someone by name.', steps: 'Reports progress step by step.' });
    expect(out.methods).toEqual(expect.arrayContaining(['add', 'cancel', 'getAvailableTasks', 'getError', 'getResult', 'getStatus', 'startJob', 'system.listMethods', 'system.methodHelp', 'system.methodSignature']));
    expect(out.bare).toEqual(out.methods);
    expect(out.help).toMatch(/"None"/);
    expect(out.signature).toEqual([['int', 'string'], ['int', 'string', 'any']]);
  });

  it('gets faults with clear strings for unknown jobs and tasks, bad input and wrong calls', async () => {
    const out = await python(`
print(json.dumps({
  "job": fault(lambda: proxy.getStatus(987654)),
  "task": fault(lambda: proxy.add("ehco", {})),
  "input": fault(lambda: proxy.add("greet", {"nom": "x"})),
  "start": fault(lambda: proxy.startJob(proxy.add("echo", None))),
  "method": fault(lambda: proxy.frobnicate()),
  "params": fault(lambda: proxy.getStatus("1")),
}))
`);
    expect(out.job).toEqual({ faultCode: 1, faultString: 'job 987654 does not exist in service @RootTaskService' });
    expect(out.task).toEqual({ faultCode: 2, faultString: 'task "ehco" is not registered for service @RootTaskService; available tasks: echo, fail, greet, steps' });
    expect(out.input).toMatchObject({ faultCode: 3, faultString: expect.stringMatching(/input for task "greet" does not match its schema/) });
    expect(out.start).toMatchObject({ faultCode: 4 });
    expect(out.method).toMatchObject({ faultCode: -32601, faultString: expect.stringMatching(/there is no method "frobnicate"/) });
    expect(out.params).toEqual({ faultCode: -32602, faultString: 'getStatus: jobid must be an <int>, got "1"' });
  });

  it('lets a viewer read but answers add with fault 5; a wrong password is HTTP 401', async () => {
    const viewer = await python(`
print(json.dumps({"tasks": sorted(proxy.getAvailableTasks()), "add": fault(lambda: proxy.add("echo", None))}))
`, endpoint('bob', 'bob-secret', '@RootTaskService'));
    expect(viewer.tasks).toEqual(['echo', 'fail', 'greet', 'steps']);
    expect(viewer.add).toEqual({ faultCode: 5, faultString: 'user "bob" is a viewer and may not call add; it takes a manager' });

    const wrong = await python('print(json.dumps({"error": fault(lambda: proxy.getAvailableTasks())}))', endpoint('alice', 'wrong'));
    expect(wrong.error).toEqual({ protocolError: 401 });
  });

  it('adds a flow and a batch, reads their dependencies and counts, and drains the server\'s process', async () => {
    const out = await python(`
flow = proxy.addFlow([{"name": "a", "task": "echo", "input": 1}, {"task": "echo", "input": 2, "after": ["a"]}])
wait_until_final(flow[1]["id"])
after = proxy.addWithOptions("echo", 3, {"after": [flow[1]["id"]]})
wait_until_final(after)
batch = proxy.addBatch([{"task": "echo", "input": 1}, {"task": "fail"}], {"task": "echo", "input": "done"})
wait_until_final(batch["callbackId"])
me = [w for w in proxy.listWorkers() if w["role"] == "serve"][0]["id"]
drained = proxy.drainWorker(me)
listed = [w["draining"] for w in proxy.listWorkers() if w["id"] == me]
print(json.dumps({
  "flow": flow,
  "dependencies": proxy.getDependencies(flow[1]["id"]),
  "after": proxy.getStatus(after),
  "batch": proxy.getBatch(batch["batchId"]),
  "drained": drained,
  "listed": listed,
  "undrained": proxy.undrainWorker(me),
  "viewer": fault(lambda: xmlrpc.client.ServerProxy(sys.argv[2], allow_none=True).addFlow([{"task": "echo"}])),
}))
`, endpoint('alice', 'alice-secret'), [endpoint('bob', 'bob-secret')]);
    const [first, second] = out.flow as Array<{ id: number }>;
    expect(out.flow).toEqual([
      { id: expect.any(Number), name: 'a', task: 'echo', status: 'queued' },
      { id: expect.any(Number), name: null, task: 'echo', status: 'blocked' },
    ]);
    expect(out.dependencies).toEqual({ parents: [{ id: first.id, task: 'echo', status: 'completed', result: 1, error: null }], children: [expect.objectContaining({ id: expect.any(Number) })] });
    expect(second.id).toBeGreaterThan(first.id);
    expect(out.after).toBe('completed');
    expect(out.batch).toMatchObject({ size: 2, completed: 1, failed: 1, pending: 0 });
    expect(out).toMatchObject({ drained: true, listed: [true], undrained: true });
    expect(out.viewer).toEqual({ faultCode: 5, faultString: 'user "bob" is a viewer and may not call addFlow; it takes a manager' });
  });

  // Without a carriage return: Python writes it raw, and XML turns a raw CR LF into LF.
  it('round-trips strings XML would choke on', async () => {
    const out = await python(`
text = "<tag> & \\"quotes\\" 'single' ]]> \\n tab\\t é 😀"
jobid = proxy.add("echo", text)
wait_until_final(jobid)
print(json.dumps({"same": proxy.getResult(jobid) == text}))
`);
    expect(out).toEqual({ same: true });
  });
});
