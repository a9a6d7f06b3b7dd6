import { useState, type FormEvent } from 'react';
import { api, must, type Schemas } from '../api/client';
import { Field, Loading, Page, Pager, Table } from '../components';
import { formatTime } from '../format';
import { Link, navigate } from '../router';
import { useLoad } from '../use-load';

type Status = NonNullable<Schemas['ExportRunView']['status']>;
type Source = NonNullable<Schemas['ExportRunView']['source']>;
const STATUSES: Status[] = ['queued', 'running', 'sent', 'failed', 'unconfirmed'];
const SOURCES: Source[] = ['api', 'schedule', 'cli'];

/** The history, newest first, filtered by customer, status and source; the filters live in the URL. */
export function ExportsPage(props: { search: URLSearchParams }) {
  const customer = props.search.get('customer') ?? '';
  const status = (props.search.get('status') ?? '') as Status | '';
  const source = (props.search.get('source') ?? '') as Source | '';
  const cursor = props.search.get('cursor') ?? '';
  const page = useLoad(
    () =>
      must(
        api.GET('/exports', {
          params: {
            query: {
              customer: customer || undefined,
              status: status || undefined,
              source: source || undefined,
              cursor: cursor || undefined,
              limit: 25,
            },
          },
        }),
      ),
    [customer, status, source, cursor],
  );
  const [draft, setDraft] = useState({ customer, status, source });
  const here = filters({ customer, status, source });
  // The URL's filters changed under the form (Back, a link): it shows them, not the last ones typed.
  const [drafted, setDrafted] = useState(here);
  if (drafted !== here) {
    setDrafted(here);
    setDraft({ customer, status, source });
  }

  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/console/exports?${filters(draft)}`);
  };

  return (
    <Page title="Exports">
      <form aria-label="Filter exports" onSubmit={apply}>
        <Field label="Customer">
          <input
            value={draft.customer}
            onChange={(event) => setDraft({ ...draft, customer: event.target.value })}
            placeholder="example.com"
          />
        </Field>
        <Field label="Status">
          <select
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as Status | '' })}
          >
            <option value="">any</option>
            {STATUSES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </Field>
        <Field label="Source">
          <select
            value={draft.source}
            onChange={(event) => setDraft({ ...draft, source: event.target.value as Source | '' })}
          >
            <option value="">any</option>
            {SOURCES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </Field>
        <button type="submit">Filter</button>
      </form>
      <Loading what={page}>
        {(data) => (
          <>
            <RunTable runs={data.items} />
            <Pager
              onFirst={cursor ? () => navigate(`/console/exports?${here}`) : undefined}
              onNext={
                data.nextCursor
                  ? () => navigate(`/console/exports?${here}&cursor=${encodeURIComponent(data.nextCursor!)}`)
                  : undefined
              }
            />
          </>
        )}
      </Loading>
    </Page>
  );
}

function filters(values: { customer: string; status: string; source: string }): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value.trim()) query.set(name, value.trim());
  return query.toString();
}

/** Runs as rows; each id opens the run's detail. `label` names the list (Exports unless told). */
export function RunTable(props: { runs: Schemas['ExportRunView'][]; caption?: string; label?: string }) {
  return (
    <Table
      rows={props.runs}
      columns={['Export', 'Customer', 'Recipient', 'Status', 'Source', 'Queued']}
      empty="No exports."
      label={props.label ?? 'Exports'}
      caption={props.caption}
      rowKey={(run) => run.id}
      cells={(run) => (
        <>
          <td>
            <Link to={`/console/exports/${run.id}`}>#{run.id}</Link>
          </td>
          <td>{run.customer}</td>
          <td>{run.recipient}</td>
          <td className={`status-${run.status}`}>{run.status}</td>
          <td>{run.source}</td>
          <td>{formatTime(run.timings.queuedAt)}</td>
        </>
      )}
    />
  );
}
