import { Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { ReadinessService } from './readiness.service';

/**
 * Marks the start and the end of shutdown: from the first hook on (before the
 * worker waits for the export in flight), /health/ready answers 503 so a load
 * balancer stops sending work here, and both moments are logged.
 */
@Injectable()
export class ShutdownNotice implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Server');

  constructor(private readonly readiness: ReadinessService) {}

  onModuleDestroy(): void {
    this.readiness.stopping();
    this.logger.log('shutting down: not ready any more, finishing the work in flight');
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log(`stopped${signal ? ` on ${signal}` : ''}`);
  }
}
