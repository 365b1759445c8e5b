import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { FAULT_CODES } from '../plugins/http/xmlrpc/xmlrpc-fault.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';
import { readXmlrpcResponse } from './helpers/xmlrpc-over-http.js';

let kernel: Kernel;
let app: FastifyInstance;

beforeAll(async () => {
  kernel = await createHttpTestKernel();
  app = await buildHttpApp(kernel);
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

function call(method: string, ...params: string[]): string {
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${params
    .map((value) => `<param>\n<value>${value}</value>\n</param>`)
    .join('\n')}\n</params>\n</methodCall>\n`;
}

async function post(body: string, address = '@RootTaskService') {
  return app.inject({ method: 'POST', url: `/xmlrpc/${address}`, headers: { 'content-type': 'text/xml' }, payload: body });
}

/** The response's value, or its fault as { faultCode, faultString }, read back into JSON-ish values. */
async function invoke(method: string, ...params: string[]): Promise<{ value?: unknown; fault?: { faultCode: number; faultString: string } }> {
  const response = await post(call(method, ...params));
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
  return readXmlrpcResponse(response.body);
}

describe('the seed\'s XML-RPC API', () => {
  it('lists the available tasks as name → description', async () => {
    expect((await invoke('getAvailableTasks')).value).toEqual({
      echo: 'Returns its input unchanged.',
      fail: 'Always fails.',
      greet: 'Greets someone by name.',
      steps: 'Reports progress step by step.',
    });
  });

  it('adds a job, reads its status, result and error ("None" when there is none), and cancels one', async () => {
    const { value: id } = await invoke('add', '<string>echo</string>', '<struct><member><name>foo</name><value><string>bar</string></value></member></struct>');
    expect(id).toEqual(expect.any(Number));
    expect((await invoke('getStatus', `<int>${id}</int>`)).value).toBe('queued');
    expect((await invoke('getResult', `<int>${id}</int>`)).value).toBeNull();
    await kernel.getService('@RootTaskService').process();
    expect((await invoke('getStatus', `<int>${id}</int>`)).value).toBe('completed');
    expect((await invoke('getResult', `<int>${id}</int>`)).value).toEqual({ foo: 'bar' });
    expect((await invoke('getError', `<int>${id}</int>`)).value).toBe('None');

    const { value: failing } = await invoke('add', 'fail');
    await kernel.getService('@RootTaskService').process();
    expect((await invoke('getStatus', `<i4>${failing}</i4>`)).value).toBe('error');
    expect((await invoke('getError', `<i4>${failing}</i4>`)).value).toBe('this task always fails');

    const { value: waiting } = await invoke('add', 'echo');
    expect((await invoke('cancel', `<int>${waiting}</int>`)).value).toBe(true);
    expect((await invoke('getStatus', `<int>${waiting}</int>`)).value).toBe('cancelled');
  });

  it('starts a job added to start later', async () => {
    const id = await kernel.getService('@RootTaskService').add('echo', null, { startLater: true });
    expect((await invoke('startJob', `<int>${id}</int>`)).value).toBe(true);
    expect((await invoke('getStatus', `<int>${id}</int>`)).value).toBe('queued');
  });

  it('answers at the %40 spelling of the address and in a site', async () => {
    const response = await post(call('getAvailableTasks'), '%40RootTaskService');
    expect(response.body).toContain('<name>echo</name>');
    const site = await post(call('add', 'echo'), 'site1@Svc');
    const id = Number(/<int>(\d+)<\/int>/.exec(site.body)![1]);
    expect((await kernel.store.get(id))?.service).toBe('site1@Svc');
  });
});

describe('introspection', () => {
  it('lists the methods, bare and as system.*', async () => {
    const names = ['add', 'addBatch', 'addFlow', 'addWithOptions', 'cancel', 'drainWorker', 'getAttempts', 'getAvailableTasks', 'getBatch', 'getDependencies', 'getError', 'getResult', 'getStatus', 'listMethods', 'listWorkers', 'methodHelp', 'methodSignature', 'pauseEverywhere', 'resumeEverywhere', 'retry', 'setPriority', 'startJob', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'undrainWorker'];
    expect((await invoke('system.listMethods')).value).toEqual(names);
    expect((await invoke('listMethods')).value).toEqual(names);
  });

  it('explains a method and gives its signatures', async () => {
    expect((await invoke('system.methodHelp', '<string>getError</string>')).value).toMatch(/the string "None" when it has none/);
    expect((await invoke('methodHelp', '<string>system.listMethods</string>')).value).toMatch(/names of the methods/);
    expect((await invoke('system.methodSignature', '<string>add</string>')).value).toEqual([['int', 'string'], ['int', 'string', 'any']]);
    expect((await invoke('methodSignature', '<string>getStatus</string>')).value).toEqual([['string', 'int']]);
    expect((await invoke('methodHelp', '<string>nope</string>')).fault).toMatchObject({ faultCode: FAULT_CODES.INVALID_PARAMS, faultString: expect.stringMatching(/there is no method "nope"/) });
  });
});

describe('faults', () => {
  it('an unknown job: fault 1', async () => {
    for (const method of ['getStatus', 'getResult', 'getError', 'cancel', 'startJob']) {
      expect((await invoke(method, '<int>424242</int>')).fault, method).toEqual({ faultCode: 1, faultString: 'job 424242 does not exist in service @RootTaskService' });
    }
  });

  it('an unknown task: fault 2 listing the available ones, nothing stored', async () => {
    const before = await jobCount(kernel);
    expect((await invoke('add', 'ehco', '<nil/>')).fault).toEqual({
      faultCode: 2,
      faultString: 'task "ehco" is not registered for service @RootTaskService; available tasks: echo, fail, greet, steps',
    });
    expect(await jobCount(kernel)).toBe(before);
  });

  it('input failing the schema: fault 3; a job in the wrong state: fault 4', async () => {
    const before = await jobCount(kernel);
    const { fault } = await invoke('add', 'greet', '<struct><member><name>name</name><value><int>5</int></value></member></struct>');
    expect(fault).toEqual({ faultCode: 3, faultString: 'input for task "greet" does not match its schema: /name must be string' });
    expect(await jobCount(kernel)).toBe(before);
    const { value: id } = await invoke('add', 'echo');
    expect((await invoke('startJob', `<int>${id}</int>`)).fault).toMatchObject({ faultCode: 4, faultString: expect.stringMatching(/only a job in "start later" can be started/) });
  });

  it('an unknown method: -32601; wrong parameters: -32602', async () => {
    expect((await invoke('deleteEverything')).fault).toMatchObject({ faultCode: -32601, faultString: expect.stringMatching(/^there is no method "deleteEverything"; methods: add, addBatch, addFlow, addWithOptions, cancel/) });
    expect((await invoke('getStatus')).fault).toEqual({ faultCode: -32602, faultString: 'getStatus takes (jobid), got 0 parameters' });
    expect((await invoke('getStatus', '<string>7</string>')).fault).toEqual({ faultCode: -32602, faultString: 'getStatus: jobid must be an <int>, got "7"' });
    expect((await invoke('add', '<int>1</int>')).fault).toMatchObject({ faultCode: -32602 });
    expect((await invoke('add', 'echo', '<nil/>', '<nil/>')).fault).toEqual({ faultCode: -32602, faultString: 'add takes (task, input), got 3 parameters' });
  });

  it('well-formed XML that is no call: fault -32600', async () => {
    const response = await post('<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><int>x</int></value></param></params></methodCall>');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<int>-32600</int>');
    expect(response.body).toContain('not an XML-RPC call: &lt;int&gt;x&lt;/int&gt; is not a whole number');
  });
});

describe('bad requests to the XML-RPC endpoint', () => {
  async function refused(body: string, status: number, code: string, message: RegExp) {
    const before = await jobCount(kernel);
    const response = await post(body);
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await jobCount(kernel)).toBe(before);
    expect((await invoke('getAvailableTasks')).value).toHaveProperty('echo');
  }

  it('XML that is not well-formed: 400 saying where', async () => {
    await refused('<methodCall><methodName>add</methodName><params>', 400, 'invalid_xml', /not well-formed XML: .*line 1/);
  });

  it('the billion laughs: 400 at once, nothing expanded, nothing stored', async () => {
    const entities = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${entities}\n]>\n${call('add', '<string>echo</string>', '<string>&lol9;</string>')}`;
    await refused(bomb, 400, 'xml_declarations_refused', /DOCTYPE or entity declarations is refused/);
  });

  it('an external entity (XXE): 400', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${call('add', 'echo', '<string>&xxe;</string>')}`;
    await refused(xxe, 400, 'xml_declarations_refused', /refused/);
  });

  it('a body that is not XML: 415', async () => {
    const json = await app.inject({ method: 'POST', url: '/xmlrpc/@RootTaskService', payload: { methodName: 'add' } });
    expect(json.statusCode).toBe(415);
    expect(json.json().error).toEqual({ code: 'unsupported_media_type', message: 'send an XML-RPC <methodCall> as text/xml' });
    const form = await app.inject({ method: 'POST', url: '/xmlrpc/@RootTaskService', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(form.statusCode).toBe(415);
    expect(form.json().error.code).toBe('unsupported_media_type');
  });

  it('an unknown address: 404', async () => {
    const response = await post(call('getAvailableTasks'), '@Nope');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('unknown_service');
  });
});
