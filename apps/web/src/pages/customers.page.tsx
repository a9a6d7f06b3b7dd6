import { useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { Field, Loading, Page } from '../components';
import { Link } from '../router';
import { useLoad } from '../use-load';

/** Every customer the token reaches (a site token: its own), searched by domain or name. */
export function CustomersPage() {
  const [search, setSearch] = useState('');
  const [draft, setDraft] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () =>
      must(api.GET('/customers', { params: { query: { search: search || undefined, cursor, limit: 50 } } })),
    [search, cursor],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setCursors([]);
    setSearch(draft.trim());
  };
  return (
    <Page title="Customers">
      <form role="search" aria-label="Search customers" onSubmit={apply}>
        <Field label="Search">
          <input
            type="search"
            value={draft}
            placeholder="domain or name"
            onChange={(event) => setDraft(event.target.value)}
          />
        </Field>
        <button type="submit">Search</button>
      </form>
      <Loading what={page}>
        {(data) => (
          <>
            {data.items.length === 0 ? (
              <p>No customers match.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Domain</th>
                    <th scope="col">Name</th>
                    <th scope="col">Users</th>
                    <th scope="col">Active accounts</th>
                    <th scope="col">Managers</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((customer) => (
                    <tr key={customer.domain}>
                      <td>
                        <Link to={`/console/customers/${encodeURIComponent(customer.domain)}`}>
                          {customer.domain}
                        </Link>
                      </td>
                      <td>{customer.name}</td>
                      <td>{customer.users}</td>
                      <td>{customer.activeAccounts}</td>
                      <td>{customer.managers}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <div className="actions">
              {cursors.length > 0 && (
                <button type="button" onClick={() => setCursors([])}>
                  First page
                </button>
              )}
              {data.nextCursor && (
                <button type="button" onClick={() => setCursors([...cursors, data.nextCursor!])}>
                  Next page
                </button>
              )}
            </div>
          </>
        )}
      </Loading>
    </Page>
  );
}
