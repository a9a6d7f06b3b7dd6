import type { Knex } from 'knex';
import { ActivityRepository } from '../activity/activity.repository';
import { AuditRepository } from '../audit/audit.repository';
import { TokenRepository } from '../admin/token.repository';
import { TokenService } from '../admin/token.service';
import type { CoreSettings } from '../config/settings';
import { CustomerRepository } from '../customers/customer.repository';
import { CustomerService } from '../customers/customer.service';
import { createDatabase, type DatabaseOptions } from '../db/connection';
import { maskUrl } from '../text/mask-url';
import { DownloadRepository } from '../downloads/download.repository';
import { DownloadService } from '../downloads/download.service';
import { ExportLockRepository } from '../export/export-lock.repository';
import type { RangeNames } from '../export/export.request';
import { ExportService } from '../export/export.service';
import { createMailRepository, type MailRepository, type SmtpPool } from '../mail/mail.repository';
import { RunRepository } from '../runs/run.repository';
import { ScheduleControlService } from '../schedules/schedule-control.service';
import { ScheduleRepository } from '../schedules/schedule.repository';
import { ScratchSpace } from '../scratch/scratch-space';
import { checkPrivateFolder } from '../files/private-folder';

/** How a front end wants core's services built, beyond the shared settings. */
export interface CoreOptions {
  /** Exports read from this database (a replica); the primary by default. */
  readDatabaseUrl?: string;
  /** The connection pool of each database. */
  pool?: Knex.PoolConfig;
  /** Reuse SMTP connections (the server); none: one connection per email (the CLI). */
  smtpPool?: SmtpPool;
  /** Failure notices go through this SMTP server; through the exports' mail (SMTP_URL or outbox) when unset. */
  alertSmtpUrl?: string;
  /** Where knex's own warnings go; knex prints them on stdout by default. */
  databaseLog?: Knex.Config['log'];
  /** What messages call since, until and the time zone: the request fields by default. */
  rangeNames?: RangeNames;
  /**
   * Create the primary database's SQLite file when it does not exist, as
   * `db migrate` does; otherwise a missing file is refused in one line.
   */
  createSqliteFile?: boolean;
}

/**
 * Core's services for one process, built from settings: the CLI, the server
 * and the bench all get theirs here. Each part is made on first use, so a
 * command that only migrates never builds a mail transport, and `close()`
 * releases whatever was opened.
 */
export class CoreServices {
  private primary?: Knex;
  private replica?: Knex;
  private mailRepository?: MailRepository;
  private alertMailRepository?: MailRepository;
  private scratchSpace?: ScratchSpace;
  private built = new Map<string, unknown>();

  constructor(
    readonly settings: CoreSettings,
    private readonly options: CoreOptions = {},
  ) {}

  /** The primary database's URL with any password masked, safe to print. */
  get databaseLabel(): string {
    return maskUrl(this.settings.databaseUrl);
  }

  /** Whether a database connection pool was opened. */
  get usedDatabase(): boolean {
    return this.primary !== undefined;
  }

  /** The database that runs, schedules, tokens, locks, links and the audit trail are written to. */
  get db(): Knex {
    this.primary ??= this.openDatabase(this.settings.databaseUrl, {
      createSqliteFile: this.options.createSqliteFile ?? false,
    });
    return this.primary;
  }

  /** The database exports read from: the replica when one is set, else the primary. */
  get readDb(): Knex {
    const url = this.options.readDatabaseUrl;
    if (!url || url === this.settings.databaseUrl) return this.db;
    this.replica ??= this.openDatabase(url, {
      createSqliteFile: false,
      setting: { name: 'DATABASE_READ_URL', migrated: false },
    });
    return this.replica;
  }

  get mail(): MailRepository {
    this.mailRepository ??= createMailRepository({ ...this.settings, smtpPool: this.options.smtpPool });
    return this.mailRepository;
  }

  /**
   * What failure notices are sent with: their own SMTP server when one is
   * set, so that a mail server failing the exports does not silence them too.
   */
  get alertMail(): MailRepository {
    const url = this.options.alertSmtpUrl;
    if (!url) return this.mail;
    this.alertMailRepository ??= createMailRepository({ ...this.settings, smtpUrl: url });
    return this.alertMailRepository;
  }

  /**
   * The process's private scratch folder; opening it removes those of CLI and
   * server processes that were killed before they could.
   */
  openScratch(): ScratchSpace {
    this.scratchSpace ??= ScratchSpace.open(this.settings.scratchRoot);
    return this.scratchSpace;
  }

  /**
   * Makes the existing folders that keep customers' data private (the
   * outbox when mail goes there, the storage of download links), or refuses
   * one that is not this OS user's; folders not made yet are made private.
   */
  checkDataFolders(): void {
    if (!this.settings.smtpUrl) checkPrivateFolder(this.settings.outboxDir, 'SPOTLIGHT_OUTBOX_DIR');
    checkPrivateFolder(this.settings.storageDir, 'SPOTLIGHT_STORAGE_DIR');
  }

  /** The export history, shared by the CLI and the server. */
  get runs(): RunRepository {
    return this.once('runs', () => new RunRepository(this.db));
  }

  /** One email export per customer at a time, across the CLI and every server instance. */
  get locks(): ExportLockRepository {
    return this.once('locks', () => new ExportLockRepository(this.db));
  }

  /** Workbooks kept behind download links, in the storage folder every process shares. */
  get downloads(): DownloadService {
    return this.once(
      'downloads',
      () =>
        new DownloadService(new DownloadRepository(this.db), {
          storageDir: this.settings.storageDir,
          publicUrl: this.settings.publicUrl,
          ttlMs: this.settings.linkTtlMs,
        }),
    );
  }

  get exports(): ExportService {
    return this.once(
      'exports',
      () =>
        new ExportService(new ActivityRepository(this.readDb), this.mail, {
          mailFrom: this.settings.mailFrom,
          databaseLabel: maskUrl(this.options.readDatabaseUrl ?? this.settings.databaseUrl),
          maxRowsPerSheet: this.settings.maxRowsPerSheet,
          tmpDir: this.openScratch().dir,
          maxAttachmentBytes: this.settings.maxAttachmentBytes,
          // Without a public URL (the CLI's, say) links are refused and a big workbook fails the export.
          downloads: this.downloads,
          locks: this.locks,
          history: this.runs,
          rangeNames: this.options.rangeNames,
        }),
    );
  }

  /** Who asked for what, shared with the server. */
  get audit(): AuditRepository {
    return this.once('audit', () => new AuditRepository(this.db));
  }

  /** Schedules as support steers them without a token: pause, resume, run now. */
  get schedules(): ScheduleControlService {
    return this.once(
      'schedules',
      () => new ScheduleControlService(new ScheduleRepository(this.db), this.runs, this.exports, this.audit),
    );
  }

  /** Admin API tokens. */
  get tokens(): TokenService {
    return this.once('tokens', () => new TokenService(new TokenRepository(this.db)));
  }

  /** Customers and their managers. */
  get customers(): CustomerService {
    return this.once('customers', () => new CustomerService(new CustomerRepository(this.db)));
  }

  /**
   * Removes this process's scratch folder. Core cleans up after itself when
   * an export ends; this is for when it cannot, on Ctrl-C. Synchronous, so a
   * signal handler can call it.
   */
  removeScratch(): void {
    this.scratchSpace?.remove();
    this.scratchSpace = undefined;
  }

  /**
   * Releases the mail transport, the scratch folder and the connection pools
   * so the process can exit. A pool waits for every connection in use to come
   * back: `poolWaitMs` bounds that wait, for connections that never will.
   */
  async close({ poolWaitMs }: { poolWaitMs?: number } = {}): Promise<void> {
    this.removeScratch();
    this.mailRepository?.close();
    this.mailRepository = undefined;
    this.alertMailRepository?.close();
    this.alertMailRepository = undefined;
    this.built.clear();
    const pools = [this.replica, this.primary].filter((pool): pool is Knex => pool !== undefined);
    this.replica = undefined;
    this.primary = undefined;
    const destroyed = Promise.all(pools.map((pool) => pool.destroy()));
    if (poolWaitMs === undefined) {
      await destroyed;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      destroyed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, poolWaitMs).unref())),
    ]);
    clearTimeout(timer);
  }

  private once<T>(name: string, build: () => T): T {
    if (!this.built.has(name)) this.built.set(name, build());
    return this.built.get(name) as T;
  }

  private openDatabase(url: string, how: Pick<DatabaseOptions, 'createSqliteFile' | 'setting'>): Knex {
    return createDatabase(url, {
      ...how,
      pool: this.options.pool,
      log: this.options.databaseLog,
      timeouts: this.settings.databaseTimeouts,
    });
  }
}

/** Builds core's services from settings; see {@link CoreServices}. */
export function createCoreServices(settings: CoreSettings, options: CoreOptions = {}): CoreServices {
  return new CoreServices(settings, options);
}
