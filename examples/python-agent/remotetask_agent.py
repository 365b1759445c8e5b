"""A remotetask agent in Python, standard library only: a Python function becomes a remotetask task.

    agent = Agent('http://tasks.example:8080', token=os.environ['REMOTETASK_TOKEN'])

    @agent.task('upper', input_schema={'type': 'object', 'required': ['text']})
    def upper(data, job):
        job.progress(0.5, 'halfway')
        return data['text'].upper()

    agent.run()   # until SIGTERM or Ctrl-C
"""
import json, signal, socket, sys, threading, time, traceback, urllib.error, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor


class TaskError(Exception):
    """Raise it when retrying cannot help: the job ends in error at once."""


class Job:
    """What a task gets besides its input: the job's id and attempt, progress, and its cancel flag."""

    def __init__(self, agent, record):
        self.id, self.attempt, self.task = record['id'], record['attempts'], record['task']
        self.cancelled = threading.Event()  # set when the job is cancelled (or this agent lost it, or stops)
        self.released, self._agent = False, agent

    def progress(self, fraction, message=None):
        self._agent.call('/progress', {'id': self.id, 'progress': min(1, max(0, fraction)), 'message': message})


class Agent:
    def __init__(self, server, token=None, service='@Agents', name=None, concurrency=4):
        self.base = '%s/api/services/%s/agents/%s' % (server.rstrip('/'), urllib.parse.quote(service),
                                                     urllib.parse.quote(name or '%s-py%d' % (socket.gethostname(), id(self) % 10000)))
        self.token, self.concurrency, self.tasks = token, concurrency, {}
        self.running, self.lock, self.wake, self.stopping = {}, threading.Lock(), threading.Event(), False
        self.lease_ms = 30000

    def task(self, name, description=None, input_schema=None, output_schema=None):
        """Decorator: the function `fn(data, job)` serves the task `name`."""
        def register(fn):
            announced = {'name': name, 'description': description or (fn.__doc__ or '').strip() or None,
                         'inputSchema': input_schema, 'outputSchema': output_schema}
            self.tasks[name] = (fn, {key: value for key, value in announced.items() if value is not None})
            return fn
        return register

    # --- the protocol: JSON over HTTP --------------------------------------------------------
    def _send(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, method=method, data=None if body is None else json.dumps(body).encode())
        request.add_header('content-type', 'application/json')
        if self.token:
            request.add_header('authorization', 'Bearer ' + self.token)
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None

    def call(self, path, body):
        """A request; a server that forgot this agent (it restarted) is greeted again first."""
        try:
            return self._send('POST', path, body)
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
            self.hello()
            return self._send('POST', path, body)

    def hello(self):
        self.lease_ms = self._send('POST', '', {'tasks': [announced for _, announced in self.tasks.values()]})['leaseMs']

    # --- the loops ---------------------------------------------------------------------------
    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, 'stopping', True) or self.wake.set())
        self._retrying(self.hello)
        log('agent serves %s, %d at once, lease %d ms' % (', '.join(self.tasks), self.concurrency, self.lease_ms))
        for loop in (self._listen, self._renew):
            threading.Thread(target=loop, daemon=True).start()
        pool = ThreadPoolExecutor(self.concurrency)
        try:
            while not self.stopping:
                self.wake.clear()
                free = self.concurrency - len(self.running)
                jobs = self._retrying(lambda: self.call('/claim', {'limit': free})['jobs']) if free > 0 else []
                for record in jobs:
                    with self.lock:
                        self.running[record['id']] = Job(self, record)
                    pool.submit(self._run_job, self.running[record['id']], record)
                if free == 0 or len(jobs) < free:
                    self.wake.wait(5)  # a wake-up from the server, a free slot, or a look now and then
        except KeyboardInterrupt:
            pass
        for job in list(self.running.values()):  # stopping: running jobs are asked to stop and handed back
            job.released = True
            job.cancelled.set()
        pool.shutdown(wait=True)
        try:
            self._send('DELETE', '')
        except Exception:
            pass

    def _retrying(self, fn):
        """Calls fn until the server answers (it may be restarting), with backoff."""
        backoff = 0.1
        while True:
            try:
                return fn()
            except (urllib.error.URLError, ConnectionError, OSError) as error:
                if isinstance(error, urllib.error.HTTPError) and error.code < 500:
                    raise
                log('server away (%s); trying again in %.1f s' % (error, backoff))
                time.sleep(backoff)
                backoff = min(5, backoff * 2)

    def _run_job(self, job, record):
        log('job %d (%s) started' % (job.id, job.task))
        fn, _ = self.tasks[record['task']]
        try:
            outcome = {'kind': 'completed', 'result': fn(record['input'], job)}
        except TaskError as error:
            outcome = {'kind': 'failed', 'error': str(error)}
        except Exception as error:
            stack = traceback.format_exc()
            outcome = ({'kind': 'retry', 'error': str(error), 'errorStack': stack, 'retryInMs': 1000 * 2 ** (job.attempt - 1)}
                       if job.attempt < record['maxAttempts'] else {'kind': 'failed', 'error': str(error), 'errorStack': stack})
        if job.cancelled.is_set():
            outcome = {'kind': 'released' if job.released else 'cancelled'}
        outcome['id'] = job.id
        applied = self._retrying(lambda: self.call('/finish', {'outcomes': [outcome]})['applied'])
        log('job %d (%s) %s' % (job.id, job.task, applied[0]['status'] if applied else 'was taken over by another worker'))
        with self.lock:
            self.running.pop(job.id, None)
        self.wake.set()

    def _renew(self):
        """Keeps the leases of running jobs, a third of the lease apart; a cancel found here sets the job's flag."""
        while True:
            time.sleep(self.lease_ms / 3000)
            ids = list(self.running)
            try:
                answer = self.call('/renew', {'ids': ids}) if ids else {'renewed': [], 'cancel': []}
            except Exception as error:
                log('renewing leases failed: %s' % error)
                continue
            for job_id in set(ids) - set(answer['renewed']) | set(answer['cancel']):
                if job_id in self.running:
                    self.running[job_id].cancelled.set()

    def _listen(self):
        """The server's event stream: `wake` (jobs may be due) and `cancel` ({ id }); reopened when it drops."""
        while True:
            try:
                request = urllib.request.Request(self.base + '/events', headers={'authorization': 'Bearer %s' % self.token} if self.token else {})
                with urllib.request.urlopen(request, timeout=60) as stream:
                    event = ''
                    for raw in stream:
                        line = raw.decode().rstrip('\r\n')
                        if line.startswith('event:'):
                            event = line[6:].strip()
                        elif line.startswith('data:') and event == 'cancel':
                            job = self.running.get(json.loads(line[5:])['id'])
                            if job:
                                job.cancelled.set()
                        elif line == '' and event == 'wake':
                            self.wake.set()
            except urllib.error.HTTPError as error:
                if error.code == 409:
                    self._retrying(self.hello)
                    continue
                log('event stream refused: %s' % error)
            except Exception as error:
                log('event stream lost (%s); reconnecting' % error)
            time.sleep(0.5)


def log(text):
    print(time.strftime('%H:%M:%S ') + text, file=sys.stderr, flush=True)
