import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { api } from './api/client';
import { Page } from './components';
import { HOME, Link, navigate, useLocation } from './router';
import { onSessionChange, readToken, signOut } from './session';
import { SignInPage } from './pages/sign-in.page';
import { CustomersPage } from './pages/customers.page';
import { CustomerPage } from './pages/customer.page';
import { ExportsPage } from './pages/exports.page';
import { ExportPage } from './pages/export.page';
import { SchedulesPage } from './pages/schedules.page';
import { AuditPage } from './pages/audit.page';

/** Whether the token is a staff token: only staff may read the audit trail. */
function useStaff(token: string): boolean | undefined {
  const [staff, setStaff] = useState<boolean>();
  useEffect(() => {
    let current = true;
    setStaff(undefined);
    void api.GET('/audit', { params: { query: { limit: 1 } } }).then(({ response }) => {
      if (current) setStaff(response.ok);
    });
    return () => {
      current = false;
    };
  }, [token]);
  return staff;
}

const SECTIONS = [
  { path: '/console/customers', label: 'Customers' },
  { path: '/console/exports', label: 'Exports' },
  { path: '/console/schedules', label: 'Schedules' },
  { path: '/console/audit', label: 'Audit', staffOnly: true },
];

export function App() {
  const token = useSyncExternalStore(onSessionChange, readToken);
  if (!token) return <SignInPage />;
  return <Console token={token} />;
}

function Console(props: { token: string }) {
  const location = useLocation();
  const staff = useStaff(props.token);
  const path = location.pathname.replace(/\/+$/, '');
  const main = useRef<HTMLElement>(null);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (path === '' || path === '/console') return navigate(HOME, { replace: true });
    // A page opened from inside the console takes focus to its heading, so a screen reader announces it.
    // The first one shown (after a load or a sign-in) leaves focus at the top, where the skip link is.
    if (shown.current !== null && shown.current !== path) main.current?.querySelector('h1')?.focus();
    shown.current = path;
  }, [path]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">Spotlight exports</span>
        <nav aria-label="Console">
          <ul>
            {SECTIONS.filter((section) => !section.staffOnly || staff).map((section) => (
              <li key={section.path}>
                <Link to={section.path} current={path.startsWith(section.path)}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Route path={path} search={location.searchParams} staff={staff} />
      </main>
    </>
  );
}

function Route(props: { path: string; search: URLSearchParams; staff: boolean | undefined }) {
  const { path } = props;
  let match: RegExpExecArray | null;
  if (path === '/console/customers') return <CustomersPage />;
  if ((match = /^\/console\/customers\/([^/]+)$/.exec(path)))
    return <CustomerPage domain={decodeURIComponent(match[1])} />;
  if (path === '/console/exports') return <ExportsPage search={props.search} />;
  if ((match = /^\/console\/exports\/(\d+)$/.exec(path))) return <ExportPage id={Number(match[1])} />;
  if (path === '/console/schedules') return <SchedulesPage />;
  if (path === '/console/audit' && props.staff !== false) return <AuditPage />;
  if (path === '' || path === '/console') return null;
  return (
    <Page title="Page not found">
      <p>
        There is no page at {path}. <Link to={HOME}>Customers</Link> lists what this token can see.
      </p>
    </Page>
  );
}
