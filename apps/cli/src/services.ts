import {
  ActivityRepository,
  CustomerRepository,
  CustomerService,
  DownloadRepository,
  DownloadService,
  ExportLockRepository,
  ExportService,
  RunRepository,
  ScratchSpace,
  TokenRepository,
  TokenService,
  createDatabase,
  createMailRepository,
  maskUrl,
  type CoreSettings,
  type MailRepository,
} from '@spotlight/core';

/** A knex instance, typed without a direct dependency on knex. */
export type Database = ReturnType<typeof createDatabase>;

/**
 * What commands work with, built the same way for every command and closed in
 * one place. Each part is made on first use, so `db migrate` never builds a
 * mail transport and `export` never opens a second connection pool.
 */
export class Services {
  private knex?: Database;
  private mailRepository?: MailRepository;
  private exportService?: ExportService;
  private tokenService?: TokenService;
  private customerService?: CustomerService;
  private scratch?: ScratchSpace;
  private runRepository?: RunRepository;

  constructor(
    readonly settings: CoreSettings,
    private readonly options: { debug?: boolean } = {},
  ) {}

  /** The database URL with any password masked, safe to print. */
  get databaseLabel(): string {
    return maskUrl(this.settings.databaseUrl);
  }

  /** Whether a database connection pool was opened. */
  get usedDatabase(): boolean {
    return this.knex !== undefined;
  }

  get db(): Database {
    if (!this.knex) {
      // knex prints pool warnings such as "Acquire connection error: <stack>"
      // on stdout, which would break --json and the one-line error. The
      // failure itself reaches the user through the command; the warning goes
      // to stderr, and only with DEBUG.
      const debug = this.options.debug ?? false;
      const toStderr = (message: unknown) => {
        if (debug) process.stderr.write(`knex: ${String(message)}\n`);
      };
      this.knex = createDatabase(this.settings.databaseUrl, {
        log: { warn: toStderr, error: toStderr, deprecate: toStderr, debug: toStderr },
        timeouts: this.settings.databaseTimeouts,
      });
    }
    return this.knex;
  }

  get mail(): MailRepository {
    this.mailRepository ??= createMailRepository(this.settings);
    return this.mailRepository;
  }

  get exports(): ExportService {
    this.exportService ??= new ExportService(new ActivityRepository(this.db), this.mail, {
      mailFrom: this.settings.mailFrom,
      databaseLabel: this.databaseLabel,
      maxRowsPerSheet: this.settings.maxRowsPerSheet,
      tmpDir: this.scratchDir(),
      locks: new ExportLockRepository(this.db),
      history: this.runs,
      // The CLI has no server: its links point at the server that shares this database and storage folder.
      maxAttachmentBytes: this.settings.maxAttachmentBytes,
      rangeNames: { since: '--since', until: '--until', timeZone: '--time-zone' },
      downloads: new DownloadService(new DownloadRepository(this.db), {
        storageDir: this.settings.storageDir,
        publicUrl: this.settings.publicUrl,
        ttlMs: this.settings.linkTtlMs,
      }),
    });
    return this.exportService;
  }

  /** Admin API tokens (the `spotlight token ...` commands). */
  get tokens(): TokenService {
    this.tokenService ??= new TokenService(new TokenRepository(this.db));
    return this.tokenService;
  }

  /** Customers and their managers (the `spotlight customers ...` commands). */
  get customers(): CustomerService {
    this.customerService ??= new CustomerService(new CustomerRepository(this.db));
    return this.customerService;
  }

  /**
   * Removes the folder every scratch file of this process lives in. Core
   * cleans up after itself when an export ends; this is for when it cannot,
   * on Ctrl-C. Synchronous, so a signal handler can call it.
   */
  removeScratch(): void {
    this.scratch?.remove();
    this.scratch = undefined;
  }

  /** The export history, shared with the server (`spotlight exports list`). */
  get runs(): RunRepository {
    this.runRepository ??= new RunRepository(this.db);
    return this.runRepository;
  }

  // The process's private scratch folder; opening it removes those of CLI
  // and server processes that were killed before they could.
  private scratchDir(): string {
    this.scratch ??= ScratchSpace.open(this.settings.scratchRoot);
    return this.scratch.dir;
  }

  /** Releases the connection pool and the mail transport so the process can exit. */
  async close(): Promise<void> {
    this.removeScratch();
    this.mailRepository?.close();
    this.mailRepository = undefined;
    this.exportService = undefined;
    this.tokenService = undefined;
    this.runRepository = undefined;
    this.customerService = undefined;
    const knex = this.knex;
    this.knex = undefined;
    await knex?.destroy();
  }
}
