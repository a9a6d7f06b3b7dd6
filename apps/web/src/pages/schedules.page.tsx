import { useEffect, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { api, errorText, must, type Schemas } from '../api/client';
import { Field, Loading, Page, Problem } from '../components';
import { countOf, formatTime, timeZones } from '../format';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { loadManagers, type Manager } from './customer.page';
import { useRefreshUntilFinished } from './export.page';

type Schedule = Schemas['ScheduleView'];

/** Every schedule the token reaches, and the form for a new one. */
export function SchedulesPage() {
  const schedules = useLoad(() => must(api.GET('/schedules', {})), []);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: number }>();
  return (
    <Page title="Schedules">
      <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
        New schedule
      </button>
      <p role="status">{notice}</p>
      {creating && (
        <NewSchedule
          onCreated={(schedule) => {
            setCreating(false);
            setNotice(
              schedule.existing
                ? `An identical schedule already exists: #${schedule.id}.`
                : `Schedule #${schedule.id} created.`,
            );
            // The form goes away with the focus: it goes on to the schedule's card, where its actions are.
            setCreated({ id: schedule.id });
            schedules.reload();
          }}
        />
      )}
      <Loading what={schedules}>
        {(data) => <ScheduleList schedules={data.items} onChange={schedules.reload} focus={created} />}
      </Loading>
    </Page>
  );
}

/**
 * Schedules as cards: the next due time, the last result, why it is paused, and what can be done.
 * `focus` names the schedule whose card takes focus once shown (a new object each time it should).
 */
export function ScheduleList(props: { schedules: Schedule[]; onChange(): void; focus?: { id: number } }) {
  const [deleted, setDeleted] = useState<number | null>(null);
  const deletedNotice = useRef<HTMLParagraphElement>(null);
  // A deleted card takes the focus with it: it goes to the line that says so.
  useEffect(() => {
    if (deleted !== null) deletedNotice.current?.focus();
  }, [deleted]);
  // A last run still queued or running is followed to its end (Send now, a due time).
  useRefreshUntilFinished(
    props.schedules.map((schedule) => schedule.lastRun),
    props.onChange,
  );
  return (
    <>
      {deleted !== null && (
        <p role="status" tabIndex={-1} ref={deletedNotice}>
          Schedule #{deleted} deleted.
        </p>
      )}
      {props.schedules.length === 0 && <p>No schedules.</p>}
      {props.schedules.map((schedule) => (
        <ScheduleCard
          key={schedule.id}
          schedule={schedule}
          focus={props.focus?.id === schedule.id ? props.focus : undefined}
          onChange={props.onChange}
          onDeleted={() => setDeleted(schedule.id)}
        />
      ))}
    </>
  );
}

function ScheduleCard(props: { schedule: Schedule; focus?: object; onChange(): void; onDeleted(): void }) {
  const { schedule } = props;
  const { lastRun } = schedule;
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [preview, setPreview] = useState<{ html: string; note: string } | null>(null);
  const id = schedule.id;
  const heading = useRef<HTMLHeadingElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (props.focus) heading.current?.focus();
  }, [props.focus]);

  const act = async (what: () => Promise<string | null>) => {
    setProblem(null);
    setNotice(null);
    try {
      setNotice(await what());
      props.onChange();
    } catch (error) {
      setProblem(errorText(error));
    }
  };
  const setEnabled = (enabled: boolean) =>
    act(async () => {
      await must(api.PATCH('/schedules/{id}', { params: { path: { id } }, body: { enabled } }));
      return enabled ? 'Resumed.' : 'Paused.';
    });
  const sendNow = () =>
    act(async () => {
      const run = await must(api.POST('/schedules/{id}/run', { params: { path: { id } } }));
      return `Export #${run.id} queued.`;
    });
  const remove = () =>
    act(async () => {
      await must(api.DELETE('/schedules/{id}', { params: { path: { id } } }));
      props.onDeleted();
      return null;
    });
  // The button pressed gives way to another: focus goes to it (first to the answer that keeps the schedule).
  const askToDelete = (asking: boolean) => {
    flushSync(() => setConfirmDelete(asking));
    (asking ? keepButton : deleteButton).current?.focus();
  };
  const showPreview = async () => {
    setProblem(null);
    try {
      const pending = api.GET('/schedules/{id}/email-preview', { params: { path: { id } }, parseAs: 'text' });
      const html = await must(pending);
      // How the run would carry the workbook (attached or linked), and on what size that depends.
      setPreview({ html, note: (await pending).response.headers.get('Spotlight-Delivery-Note') ?? '' });
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  return (
    <article className="schedule" aria-labelledby={`schedule-${id}`}>
      <h2 id={`schedule-${id}`} tabIndex={-1} ref={heading}>
        Schedule #{id}
      </h2>
      <dl className="facts">
        <dt>Customer</dt>
        <dd>
          <Link to={`/console/customers/${encodeURIComponent(schedule.customer)}`}>{schedule.customer}</Link>
        </dd>
        <dt>Recipient</dt>
        <dd>{schedule.recipient}</dd>
        <dt id={`cron-${id}`}>Cron</dt>
        <dd aria-labelledby={`cron-${id}`}>
          <code>{schedule.cron}</code> in {schedule.timeZone}: {schedule.description}
        </dd>
        <dt>Window</dt>
        <dd>{schedule.windowDays ? `the last ${countOf(schedule.windowDays, 'day')}` : 'all activity'}</dd>
        <dt id={`next-due-${id}`}>Next due</dt>
        <dd aria-labelledby={`next-due-${id}`}>
          {schedule.enabled && schedule.nextDueAt ? (
            <time dateTime={schedule.nextDueAt}>{formatTime(schedule.nextDueAt, schedule.timeZone)}</time>
          ) : (
            'paused'
          )}
        </dd>
        {!schedule.enabled && (
          <>
            <dt id={`paused-because-${id}`}>Paused because</dt>
            <dd aria-labelledby={`paused-because-${id}`}>{describePause(schedule)}</dd>
          </>
        )}
        <dt id={`last-result-${id}`}>Last result</dt>
        <dd aria-labelledby={`last-result-${id}`}>
          {lastRun ? (
            <>
              <Link to={`/console/exports/${lastRun.id}`}>#{lastRun.id}</Link>{' '}
              <span className={`status-${lastRun.status}`}>{lastRun.status}</span>{' '}
              {formatTime(lastRun.timings.finishedAt ?? lastRun.timings.queuedAt, schedule.timeZone)}
              {lastRun.error && `: ${lastRun.error}`}
            </>
          ) : (
            'not run yet'
          )}
        </dd>
      </dl>
      <div className="actions">
        {schedule.enabled ? (
          <button type="button" onClick={() => void setEnabled(false)}>
            Pause
          </button>
        ) : (
          <button type="button" onClick={() => void setEnabled(true)}>
            Resume
          </button>
        )}
        <button type="button" onClick={() => void sendNow()}>
          Send now
        </button>
        <button type="button" onClick={() => void showPreview()}>
          Preview email
        </button>
        {confirmDelete ? (
          <>
            <button type="button" onClick={() => void remove()}>
              Confirm delete
            </button>
            <button type="button" ref={keepButton} onClick={() => askToDelete(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" ref={deleteButton} onClick={() => askToDelete(true)}>
            Delete
          </button>
        )}
      </div>
      <p role="status">{notice}</p>
      <Problem message={problem} />
      {preview !== null && <p className="delivery-note">{preview.note}</p>}
      {preview !== null && (
        // sandbox="": the email's HTML is shown, never run (no script, no forms, its own origin).
        <iframe
          className="email"
          sandbox=""
          srcDoc={preview.html}
          title={`Email preview of schedule #${id}`}
        />
      )}
    </article>
  );
}

/** Why a paused schedule is paused, by whom and since when, in the server's record of it. */
function describePause(schedule: Schedule): string {
  const { pause } = schedule;
  if (!pause) return 'Paused; the audit trail no longer says why (its entries are kept for a limited time).';
  const at = formatTime(pause.at, schedule.timeZone);
  const reason = pause.reason ? `: ${pause.reason}.` : '.';
  switch (pause.by) {
    case 'recipient':
      return `Stopped by its recipient on ${at}, with the link in the email.`;
    case 'system':
      return `Paused by the server on ${at}${reason}`;
    case 'support':
      return `Paused by support on ${at}${reason}`;
    default:
      return `Paused by token ${pause.tokenId ?? '?'} on ${at}${reason}`;
  }
}

type Preview = Awaited<ReturnType<typeof loadPreview>>;
const loadPreview = (body: { cron: string; timeZone: string; windowDays?: number }) =>
  must(api.POST('/schedules/preview', { body }));

function NewSchedule(props: { onCreated(created: Schemas['CreatedSchedule']): void }) {
  const [form, setForm] = useState({
    customer: '',
    recipient: '',
    cron: '0 7 * * 1',
    timeZone: 'UTC',
    windowDays: '',
  });
  const customers = useLoad(() => must(api.GET('/customers', { params: { query: { limit: 100 } } })), []);
  const [managers, setManagers] = useState<Manager[]>([]);
  const [preview, setPreview] = useState<{ data?: Preview; error?: string }>({});
  const [problem, setProblem] = useState<string | null>(null);
  const windowDays = form.windowDays.trim() ? Number(form.windowDays) : undefined;

  useEffect(() => {
    const domain = form.customer.trim();
    setManagers([]);
    if (!domain) return;
    let current = true;
    loadManagers(domain).then(
      (data) => {
        if (!current) return;
        const active = data.items.filter((manager) => manager.active);
        setManagers(active);
        setForm((previous) => ({ ...previous, recipient: active[0]?.email ?? '' }));
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [form.customer]);

  // The server computes the words and the due times, in the schedule's zone, with the rules it saves by.
  useEffect(() => {
    if (!form.cron.trim()) return setPreview({});
    let current = true;
    const timer = setTimeout(() => {
      loadPreview({ cron: form.cron, timeZone: form.timeZone, windowDays }).then(
        (data) => current && setPreview({ data }),
        (error: unknown) => current && setPreview({ error: errorText(error) }),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [form.cron, form.timeZone, windowDays]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      const created = await must(
        api.POST('/schedules', {
          body: {
            customer: form.customer.trim(),
            recipient: form.recipient,
            cron: form.cron,
            timeZone: form.timeZone,
            windowDays: windowDays ?? null,
          },
        }),
      );
      props.onCreated(created);
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  return (
    <form aria-label="New schedule" onSubmit={(event) => void submit(event)} className="new-schedule">
      <Field label="Customer">
        <input
          list="customer-domains"
          required
          value={form.customer}
          onChange={(event) => setForm({ ...form, customer: event.target.value })}
        />
      </Field>
      <datalist id="customer-domains">
        {customers.data?.items.map((customer) => (
          <option key={customer.domain} value={customer.domain}>
            {customer.name}
          </option>
        ))}
      </datalist>
      <Field label="Recipient">
        <select
          required
          value={form.recipient}
          onChange={(event) => setForm({ ...form, recipient: event.target.value })}
        >
          {managers.length === 0 && <option value="">choose a customer first</option>}
          {managers.map((manager) => (
            <option key={manager.email} value={manager.email}>
              {manager.email}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Cron">
        <input
          required
          spellCheck={false}
          value={form.cron}
          onChange={(event) => setForm({ ...form, cron: event.target.value })}
        />
      </Field>
      <Field label="Time zone">
        <select
          value={form.timeZone}
          onChange={(event) => setForm({ ...form, timeZone: event.target.value })}
        >
          {timeZones().map((zone) => (
            <option key={zone}>{zone}</option>
          ))}
        </select>
      </Field>
      <Field label="Window (days)">
        <input
          type="number"
          min={1}
          value={form.windowDays}
          onChange={(event) => setForm({ ...form, windowDays: event.target.value })}
        />
      </Field>
      <button type="submit">Create schedule</button>
      <section aria-label="Schedule preview" aria-live="polite" className="preview">
        {preview.error && <Problem message={preview.error} />}
        {preview.data && (
          <>
            <p>{preview.data.description}</p>
            <p>Next 5 due times in {preview.data.timeZone}:</p>
            <ol>
              {preview.data.nextDue.map((due) => (
                <li key={due}>
                  <time dateTime={due}>{formatTime(due, preview.data!.timeZone)}</time>
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
      <Problem message={problem} />
    </form>
  );
}
