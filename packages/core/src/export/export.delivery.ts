import type { DownloadService, KeptDownload } from '../downloads/download.service';
import { AttachmentTooLargeError, DeliveryUnconfirmedError } from '../errors';
import { formatBytes } from '../text/bytes';
import { XLSX_CONTENT_TYPE, type MailRepository } from '../mail/mail.repository';
import { attachmentName, exportBodies, exportHeaders, exportSubject, type RequestedBy } from './export.mail';
import type { BuiltExport } from './export.summary';

export interface DeliveryOptions {
  /** The From of every export email. */
  mailFrom: string;
  /** Above this size the workbook goes behind a download link; no limit by default. */
  maxAttachmentBytes?: number;
  /** Keeps big workbooks behind links; without it a workbook above the limit fails the export. */
  downloads?: DownloadService;
}

/** How the email carries the workbook. */
export type DeliveryKind = 'attachment' | 'link';

/** An export email as a run would send it now; nothing kept or sent. */
export interface EmailPreview {
  delivery: DeliveryKind;
  /** How the workbook goes, and how a bigger or smaller one would, in one line. */
  note: string;
  text: string;
  html: string;
}

/** An email that was handed to SMTP or the outbox. */
export interface Delivered {
  delivery: DeliveryKind;
  messageId: string;
  outboxPath: string | null;
  /** The download link the email carried, when it did. */
  link: KeptDownload | null;
}

/**
 * Attachment or link: a workbook above the size limit is kept in the shared
 * storage and the email carries a link to it; the link is withdrawn when the
 * email could not be sent.
 */
export class ExportDelivery {
  constructor(
    private readonly mail: MailRepository,
    private readonly options: DeliveryOptions,
  ) {}

  /**
   * How a workbook of `bytes` goes; a workbook too big to attach with no way
   * to link it fails here, before anything is kept or sent.
   */
  choose(bytes: number): DeliveryKind {
    const { maxAttachmentBytes } = this.options;
    if (maxAttachmentBytes === undefined || bytes <= maxAttachmentBytes) return 'attachment';
    if (!this.options.downloads?.canLink) throw new AttachmentTooLargeError(bytes, maxAttachmentBytes);
    return 'link';
  }

  /**
   * The email of this workbook as a run would send it now, attached or
   * linked by {@link choose} (so it fails as the run would), and in `note`
   * how that depends on the size, which a later run measures again: what an
   * admin previews. Nothing is kept or sent; the link, if any, works nowhere.
   */
  preview(built: BuiltExport, requestedBy?: RequestedBy): EmailPreview {
    const delivery = this.choose(built.bytes);
    const link = delivery === 'link' ? this.options.downloads!.previewLink() : null;
    const fileName = attachmentName({ ...built, customer: built.site.domain });
    return {
      delivery,
      note: this.describe(built.bytes, delivery),
      ...this.bodies(built, fileName, link, requestedBy),
    };
  }

  /** How a workbook of `bytes` goes, and how a bigger or smaller one would, in one line. */
  private describe(bytes: number, delivery: DeliveryKind): string {
    const size = `the workbook is ${formatBytes(bytes)} now`;
    const { maxAttachmentBytes } = this.options;
    if (maxAttachmentBytes === undefined) return `Attached: ${size}; there is no attachment limit.`;
    const limit = `the ${formatBytes(maxAttachmentBytes)} attachment limit`;
    if (delivery === 'link')
      return `A download link: ${size}, above ${limit}; a run attaches it when it is no larger.`;
    return this.options.downloads?.canLink
      ? `Attached: ${size}; a run above ${limit} sends a download link instead.`
      : `Attached: ${size}; a run above ${limit} fails, as SPOTLIGHT_PUBLIC_URL is not set and no download link can be made.`;
  }

  private bodies(
    built: BuiltExport,
    fileName: string,
    link: Pick<KeptDownload, 'url' | 'expiresAt'> | null,
    requestedBy: RequestedBy | undefined,
  ): { text: string; html: string } {
    return exportBodies({
      customer: built.site.domain,
      customerName: built.site.name,
      active: built.workbook.active,
      inactive: built.workbook.inactive,
      levels: built.workbook.tally.levels,
      change: built.workbook.change ?? undefined,
      range: built.range,
      timeZone: built.timeZone,
      generatedAt: built.generatedAt,
      attachmentName: fileName,
      link: link ? { url: link.url, expiresAt: link.expiresAt, bytes: built.bytes } : undefined,
      requestedBy,
    });
  }

  /** Sends the workbook in `file` to the checked recipient, as `kind` says. */
  async send(
    file: string,
    built: BuiltExport & { recipient: string },
    kind: DeliveryKind,
    email: {
      requestedBy?: RequestedBy;
      beforeDelivery?: () => Promise<void>;
      messageId?: string;
      runId?: number;
      signal?: AbortSignal;
    },
  ): Promise<Delivered> {
    const fileName = attachmentName({ ...built, customer: built.site.domain });
    const downloads = this.options.downloads;
    const link =
      kind === 'link' && downloads
        ? await downloads.keep(file, { customer: built.site.domain, fileName, runId: email.runId })
        : null;
    try {
      const bodies = this.bodies(built, fileName, link, email.requestedBy);
      await email.beforeDelivery?.();
      const sent = await this.mail.send({
        from: this.options.mailFrom,
        to: built.recipient,
        subject: exportSubject(built.site.name, built.range, built.timeZone),
        ...bodies,
        attachment: link ? undefined : { filename: fileName, path: file, contentType: XLSX_CONTENT_TYPE },
        messageId: email.messageId,
        headers: exportHeaders(email.requestedBy),
        signal: email.signal,
      });
      return { delivery: kind, messageId: sent.messageId, outboxPath: sent.outboxPath ?? null, link };
    } catch (error) {
      // Nobody got the link: withdraw it, as a failed send leaves no file
      // behind. An email that may have arrived keeps its link working.
      if (error instanceof DeliveryUnconfirmedError) {
        error.carried = { delivery: kind, linkExpiresAt: link ? new Date(link.expiresAt) : null };
      } else if (link) {
        await downloads!.discard(link);
      }
      throw error;
    }
  }
}
