import { HttpException } from '@nestjs/common';
import { DOWNLOAD_RETRY_AFTER_SECONDS, DownloadLimiter } from './download-limiter';

/** The headers a download endpoint's response was given. */
function fakeResponse() {
  const headers = new Map<string, string>();
  return { headers, setHeader: (name: string, value: string) => headers.set(name, value) };
}

/** Takes a slot that must be refused: a 429 with `message`, and Retry-After set on the response. */
async function expectRefused(limiter: DownloadLimiter, customer: string, message: string): Promise<void> {
  const response = fakeResponse();
  const error = await limiter.take(customer, response).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HttpException);
  expect((error as HttpException).getStatus()).toBe(429);
  expect((error as HttpException).message).toBe(message);
  expect(response.headers.get('Retry-After')).toBe(String(DOWNLOAD_RETRY_AFTER_SECONDS));
}

describe('DownloadLimiter.take, the caps every download endpoint answers with', () => {
  it('gives a slot within the bounds, and sets no header', async () => {
    const limiter = new DownloadLimiter({ perCustomer: 1, total: 2 });
    const response = fakeResponse();
    const slot = await limiter.take('a.example.com', response);
    expect(limiter.inProgress).toBe(1);
    expect(response.headers.size).toBe(0);
    slot.release();
    expect(limiter.inProgress).toBe(0);
  });

  it("answers 429 with Retry-After beyond a customer's bound, naming the customer, until its slot is given back", async () => {
    const limiter = new DownloadLimiter({ perCustomer: 1, total: 2 });
    const first = await limiter.take('a.example.com', fakeResponse());
    await expectRefused(
      limiter,
      'a.example.com',
      '1 download(s) of a.example.com are in progress, the most allowed at once; try again shortly.',
    );
    expect(limiter.inProgress).toBe(1);
    first.release();
    (await limiter.take('a.example.com', fakeResponse())).release();
  });

  it('answers 429 with Retry-After beyond the bound in all, whatever the customer', async () => {
    const limiter = new DownloadLimiter({ perCustomer: 1, total: 2 });
    await limiter.take('a.example.com', fakeResponse());
    await limiter.take('b.example.com', fakeResponse());
    await expectRefused(
      limiter,
      'c.example.com',
      '2 downloads are in progress, the most this server serves at once; try again shortly.',
    );
  });
});
