#!/usr/bin/env python3
"""An agent serving a few tasks written in Python:

    REMOTETASK_TOKEN=... python3 example_agent.py --server http://127.0.0.1:8080 --service @Agents
"""
import argparse, os, time
from remotetask_agent import Agent, TaskError, log

parser = argparse.ArgumentParser(description='a remotetask agent in Python')
parser.add_argument('--server', required=True)
parser.add_argument('--service', default='@Agents')
parser.add_argument('--name')
parser.add_argument('--concurrency', type=int, default=4)
args = parser.parse_args()
agent = Agent(args.server, token=os.environ.get('REMOTETASK_TOKEN'), service=args.service, name=args.name, concurrency=args.concurrency)


@agent.task('echo', description='Returns its input unchanged.')
def echo(data, job):
    return data


@agent.task('upper', description='Upper-cases a text.', input_schema={
    'type': 'object', 'required': ['text'], 'additionalProperties': False, 'properties': {'text': {'type': 'string'}}})
def upper(data, job):
    if not data['text']:
        raise TaskError('there is nothing to upper-case')  # no retry
    return data['text'].upper()


@agent.task('slow', description='Takes `ms` milliseconds, reporting progress; stops when cancelled.')
def slow(data, job):
    steps = 10
    for step in range(steps):
        if job.cancelled.wait(data.get('ms', 1000) / 1000 / steps):
            log('job %d saw its cancel' % job.id)
            return None
        job.progress((step + 1) / steps, 'step %d of %d' % (step + 1, steps))
    return {'slept': data.get('ms', 1000)}


@agent.task('wait-for-cancel', description='Runs until it is cancelled.')
def wait_for_cancel(data, job):
    job.cancelled.wait()
    log('job %d saw its cancel' % job.id)


agent.run()
