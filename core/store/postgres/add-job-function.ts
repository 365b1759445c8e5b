import { MAX_DELAY_SECONDS, MAX_PRIORITY, MAX_TIMEOUT_MS, MIN_PRIORITY } from '../../jobs/job-limits.js';
import { KEY_HELD_SQL, keyExpiredSql } from '../key-rules.js';
import { EVENTS_CHANNEL, WAKE_CHANNEL } from './channels.js';

/** The options `add_job` takes, in the order its error messages list them. */
export const ADD_JOB_OPTIONS = ['runAt', 'delay', 'priority', 'maxAttempts', 'timeout', 'startLater', 'key', 'keyScope', 'keyPeriod', 'onKeyTaken'] as const;

/** MAX_KEY_LENGTH of core/service/key-options.ts (the store does not import the service layer). */
const MAX_KEY_LENGTH = 255;
const KEYED_COLUMNS = 'service, task, input, status, max_attempts, created, run_at, timeout_ms, priority, job_key, key_scope, key_period_ms';
const KEYED_VALUES = 'add_job.service, add_job.task, add_job.input, v_status, v_max_attempts, now_ms, v_run_at, v_timeout, v_priority, v_key, v_scope, v_period';

/**
 * `add_job(service, task, input, options)`: a job added with one statement, by SQL (a trigger, a
 * program in another language), in the caller's transaction. It writes the row the store's insert
 * writes and sends the same NOTIFYs (a wake-up, an `added` event), delivered at the caller's
 * commit. The database does not know the registered tasks: an unknown task is stored, and ends
 * `error` ("not registered") when a worker claims it; the input is not checked against the task's
 * schema. Options are checked here, each with an error that names it and its range (SQLSTATE 22023).
 */
export const addJobFunctionSql = (s: string) => `
      CREATE FUNCTION ${s}.add_job_number(options jsonb, name text, low numeric, high numeric, unit text)
      RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $fn$
      DECLARE
        value jsonb := options -> name;
      BEGIN
        IF value IS NULL OR jsonb_typeof(value) = 'null' THEN RETURN NULL; END IF;
        IF jsonb_typeof(value) <> 'number' OR value::numeric < low OR value::numeric > high
           OR (unit LIKE '%integer%' AND value::numeric <> trunc(value::numeric)) THEN
          RAISE EXCEPTION 'add_job: option "%" must be % from % to %; got %', name, unit, low, high, left(value::text, 80)
            USING ERRCODE = '22023';
        END IF;
        RETURN value::numeric;
      END $fn$;

      CREATE FUNCTION ${s}.add_job(service text, task text, input jsonb DEFAULT NULL, options jsonb DEFAULT '{}')
      RETURNS ${s}.jobs LANGUAGE plpgsql VOLATILE AS $fn$
      #variable_conflict use_column
      DECLARE
        opts jsonb := coalesce(add_job.options, '{}'::jsonb);
        now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
        unknown_options text;
        v_status text := 'queued';
        v_run_at bigint := 0;
        v_max_attempts integer;
        v_timeout bigint;
        v_priority smallint;
        v_key text;
        v_scope text;
        v_period bigint;
        v_on_taken text;
        v_id bigint;
        v_inserted boolean := false;
        job ${s}.jobs;
        event json;
      BEGIN
        IF add_job.service IS NULL OR position('@' IN add_job.service) = 0 THEN
          RAISE EXCEPTION 'add_job: service must be a service address, site@Service (''@RootTaskService'' on the root site); got %',
            coalesce(quote_literal(left(add_job.service, 80)), 'NULL') USING ERRCODE = '22023';
        END IF;
        IF add_job.task IS NULL OR add_job.task = '' THEN
          RAISE EXCEPTION 'add_job: task must name a task of the service; got %', coalesce(quote_literal(add_job.task), 'NULL') USING ERRCODE = '22023';
        END IF;
        IF jsonb_typeof(opts) <> 'object' THEN
          RAISE EXCEPTION 'add_job: options must be a JSON object such as ''{"priority": 5}''; got a JSON %', jsonb_typeof(opts) USING ERRCODE = '22023';
        END IF;
        SELECT string_agg(format('"%s"', left(k, 80)), ', ' ORDER BY k) INTO unknown_options
          FROM jsonb_object_keys(opts) AS k WHERE k <> ALL (ARRAY[${ADD_JOB_OPTIONS.map((name) => `'${name}'`).join(', ')}]);
        IF unknown_options IS NOT NULL THEN
          RAISE EXCEPTION 'add_job: unknown option %; the options are ${ADD_JOB_OPTIONS.join(', ')}', unknown_options USING ERRCODE = '22023';
        END IF;

        IF opts ? 'runAt' AND opts ? 'delay' THEN
          RAISE EXCEPTION 'add_job: give runAt or delay, not both' USING ERRCODE = '22023';
        ELSIF jsonb_typeof(opts -> 'runAt') = 'string' THEN
          BEGIN
            v_run_at := floor(extract(epoch FROM (opts ->> 'runAt')::timestamptz) * 1000);
          EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'add_job: option "runAt" must be a timestamp (''2030-01-01T12:00:00Z'') or milliseconds since 1970; got %', left(opts ->> 'runAt', 80)
              USING ERRCODE = '22023';
          END;
        ELSIF opts ? 'runAt' THEN
          v_run_at := ${s}.add_job_number(opts, 'runAt', 0, ${Number.MAX_SAFE_INTEGER}, 'integer milliseconds since 1970 (or a timestamp text)');
        ELSIF opts ? 'delay' THEN
          v_run_at := now_ms + round(${s}.add_job_number(opts, 'delay', 0, ${MAX_DELAY_SECONDS}, 'seconds') * 1000);
        END IF;
        v_max_attempts := coalesce(${s}.add_job_number(opts, 'maxAttempts', 1, 2147483647, 'an integer'), 3);
        v_timeout := ${s}.add_job_number(opts, 'timeout', 1, ${MAX_TIMEOUT_MS}, 'integer milliseconds');
        v_priority := coalesce(${s}.add_job_number(opts, 'priority', ${MIN_PRIORITY}, ${MAX_PRIORITY}, 'an integer (lower runs first)'), 0);

        IF opts ? 'startLater' THEN
          IF jsonb_typeof(opts -> 'startLater') <> 'boolean' THEN
            RAISE EXCEPTION 'add_job: option "startLater" must be true or false; got %', left((opts -> 'startLater')::text, 80) USING ERRCODE = '22023';
          END IF;
          IF (opts -> 'startLater')::boolean THEN v_status := 'start later'; END IF;
        END IF;

        IF opts ? 'key' THEN
          IF jsonb_typeof(opts -> 'key') <> 'string' OR length(opts ->> 'key') NOT BETWEEN 1 AND ${MAX_KEY_LENGTH} THEN
            RAISE EXCEPTION 'add_job: option "key" must be a text of 1 to ${MAX_KEY_LENGTH} characters; got %', left((opts -> 'key')::text, 80) USING ERRCODE = '22023';
          END IF;
          v_key := opts ->> 'key';
          v_scope := coalesce(opts ->> 'keyScope', 'waiting');
          v_on_taken := coalesce(opts ->> 'onKeyTaken', 'keep');
          IF v_scope NOT IN ('waiting', 'running', 'finished') THEN
            RAISE EXCEPTION 'add_job: option "keyScope" must be waiting, running or finished; got %', left((opts -> 'keyScope')::text, 80) USING ERRCODE = '22023';
          END IF;
          IF v_on_taken NOT IN ('keep', 'replace') THEN
            RAISE EXCEPTION 'add_job: option "onKeyTaken" must be keep or replace; got %', left((opts -> 'onKeyTaken')::text, 80) USING ERRCODE = '22023';
          END IF;
          IF (v_scope = 'finished') <> (opts ? 'keyPeriod') THEN
            RAISE EXCEPTION 'add_job: option "keyPeriod" (seconds after the job ended) goes with keyScope "finished", and only with it' USING ERRCODE = '22023';
          END IF;
          v_period := round(${s}.add_job_number(opts, 'keyPeriod', 0.001, ${MAX_DELAY_SECONDS}, 'seconds') * 1000);
        ELSIF opts ?| ARRAY['keyScope', 'keyPeriod', 'onKeyTaken'] THEN
          RAISE EXCEPTION 'add_job: options keyScope, keyPeriod and onKeyTaken go with a key: give key too' USING ERRCODE = '22023';
        END IF;

        IF v_key IS NULL THEN
          INSERT INTO ${s}.jobs (service, task, input, status, max_attempts, created, run_at, timeout_ms, priority)
          VALUES (add_job.service, add_job.task, add_job.input, v_status, v_max_attempts, now_ms, v_run_at, v_timeout, v_priority)
          RETURNING * INTO job;
          v_inserted := true;
        ELSE
          -- As the store's keyed insert (insert-keyed.ts): a finished key past its period is free
          -- again, and the unique index decides between two adders of one key.
          UPDATE ${s}.jobs SET key_scope = 'expired' WHERE service = add_job.service AND job_key = v_key AND ${keyExpiredSql('now_ms')};
          FOR attempt IN 1..5 LOOP
            -- keep: DO NOTHING, which leaves the holder unlocked for the workers' claims.
            IF v_on_taken = 'keep' THEN
              INSERT INTO ${s}.jobs (${KEYED_COLUMNS}) VALUES (${KEYED_VALUES})
              ON CONFLICT (service, job_key) WHERE ${KEY_HELD_SQL} DO NOTHING
              RETURNING id, true INTO v_id, v_inserted;
            ELSE
              INSERT INTO ${s}.jobs AS j (${KEYED_COLUMNS}) VALUES (${KEYED_VALUES})
              ON CONFLICT (service, job_key) WHERE ${KEY_HELD_SQL}
              DO UPDATE SET input = EXCLUDED.input
              WHERE j.status IN ('queued', 'start later', 'delayed', 'cronjob') AND j.locked_by IS NULL
              RETURNING j.id, (j.xmax = 0) INTO v_id, v_inserted;
            END IF;
            IF v_id IS NOT NULL THEN
              SELECT * INTO job FROM ${s}.jobs WHERE id = v_id;
              EXIT;
            END IF;
            -- Kept, or not replaceable: the holder is the answer.
            SELECT * INTO job FROM ${s}.jobs WHERE service = add_job.service AND job_key = v_key AND ${KEY_HELD_SQL};
            IF job.id IS NOT NULL THEN RETURN job; END IF;
          END LOOP;
          IF job.id IS NULL THEN
            RAISE EXCEPTION 'add_job: the key % of % kept changing hands; try again', quote_literal(v_key), add_job.service USING ERRCODE = '40001';
          END IF;
        END IF;

        IF job.status IN ('queued', 'delayed', 'cronjob') AND job.locked_by IS NULL THEN
          PERFORM pg_notify('${WAKE_CHANNEL}', job.service);
        END IF;
        IF v_inserted THEN
          event := json_build_object('type', 'added', 'service', job.service, 'jobId', job.id, 'task', job.task, 'status', job.status, 'time', job.created);
          PERFORM pg_notify('${EVENTS_CHANNEL}', CASE WHEN octet_length(event::text) > 7000 THEN '["resync"]' ELSE json_build_array(event)::text END);
        END IF;
        RETURN job;
      END $fn$;`;
