import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText, must } from '../api/client';
import { Field, Loading, Page, Problem } from '../components';
import { browserTimeZone, countOf, timeZones } from '../format';
import { useLoad } from '../use-load';
import { FINISHED, RunFacts, useRefreshUntilFinished } from './export.page';
import { RunTable } from './exports.page';
import { ScheduleList } from './schedules.page';

/** One customer: its managers, recent exports and schedules, and a form to export now. */
export function CustomerPage(props: { domain: string }) {
  const { domain } = props;
  const customer = useLoad(
    () => must(api.GET('/customers/{domain}', { params: { path: { domain } } })),
    [domain],
  );
  const managers = useLoad(() => loadManagers(domain), [domain]);
  const exports = useLoad(
    () => must(api.GET('/exports', { params: { query: { customer: domain, limit: 10 } } })),
    [domain],
  );
  const schedules = useLoad(
    () => must(api.GET('/schedules', { params: { query: { customer: domain } } })),
    [domain],
  );

  return (
    <Page title={customer.data?.name ? `${customer.data.name} (${domain})` : domain}>
      <Loading what={customer}>
        {(data) => (
          <p>
            {countOf(data.users, 'user')}, {countOf(data.activeAccounts, 'active account')},{' '}
            {countOf(data.managers, 'active manager')}.
          </p>
        )}
      </Loading>
      <h2>Managers</h2>
      <Loading what={managers}>
        {(data) =>
          data.items.length === 0 ? (
            <p>No managers.</p>
          ) : (
            <ul>
              {data.items.map((manager) => (
                <li key={manager.email}>
                  {manager.name} &lt;{manager.email}&gt;{manager.active ? '' : ' (inactive)'}
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
      <Loading what={managers}>
        {(data) => (
          <ExportNow
            domain={domain}
            recipients={data.items.filter((manager) => manager.active)}
            onQueued={exports.reload}
          />
        )}
      </Loading>
      <h2>Recent exports</h2>
      <Loading what={exports}>{(data) => <RunTable runs={data.items} label="Recent exports" />}</Loading>
      <h2>Schedules</h2>
      <Loading what={schedules}>
        {(data) => <ScheduleList schedules={data.items} onChange={schedules.reload} />}
      </Loading>
    </Page>
  );
}

export const loadManagers = (domain: string) =>
  must(api.GET('/customers/{domain}/managers', { params: { path: { domain } } }));
export type Manager = Awaited<ReturnType<typeof loadManagers>>['items'][number];

function ExportNow(props: { domain: string; recipients: Manager[]; onQueued(): void }) {
  const [form, setForm] = useState({
    recipient: props.recipients[0]?.email ?? '',
    since: '',
    until: '',
    timeZone: browserTimeZone(),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [queued, setQueued] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setProblem(null);
    setBusy(true);
    try {
      const run = await must(
        api.POST('/exports', {
          body: {
            customer: props.domain,
            recipient: form.recipient,
            since: form.since || undefined,
            until: form.until || undefined,
            timeZone: form.timeZone,
          },
        }),
      );
      setQueued(run.id);
      props.onQueued();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="export-now">
      <h2 id="export-now">Export now</h2>
      <form aria-labelledby="export-now" onSubmit={(event) => void submit(event)}>
        <Field label="Recipient">
          <select
            value={form.recipient}
            required
            onChange={(event) => setForm({ ...form, recipient: event.target.value })}
          >
            {props.recipients.length === 0 && <option value="">no active manager</option>}
            {props.recipients.map((manager) => (
              <option key={manager.email} value={manager.email}>
                {manager.name ? `${manager.name} <${manager.email}>` : manager.email}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Since">
          <input
            type="date"
            value={form.since}
            onChange={(event) => setForm({ ...form, since: event.target.value })}
          />
        </Field>
        <Field label="Until">
          <input
            type="date"
            value={form.until}
            onChange={(event) => setForm({ ...form, until: event.target.value })}
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
        {/* aria-disabled while busy, not disabled: a disabled button loses the focus to the page. */}
        <button type="submit" disabled={props.recipients.length === 0} aria-disabled={busy}>
          Send export
        </button>
      </form>
      <Problem message={problem} />
      {queued !== null && <QueuedExport id={queued} onFinished={props.onQueued} />}
    </section>
  );
}

/** Follows a queued export until it is sent or failed, with the reason. */
function QueuedExport(props: { id: number; onFinished(): void }) {
  const run = useLoad(
    () => must(api.GET('/exports/{id}', { params: { path: { id: props.id } } })),
    [props.id],
  );
  useRefreshUntilFinished(run.data, run.reload);
  const finished = run.data !== undefined && FINISHED.includes(run.data.status);
  const { onFinished } = props;
  useEffect(() => {
    if (finished) onFinished();
  }, [finished, onFinished]);
  return (
    <section aria-label={`Export #${props.id}`} aria-live="polite">
      <h3>Export #{props.id}</h3>
      <Loading what={run}>{(data) => <RunFacts run={data} />}</Loading>
    </section>
  );
}
