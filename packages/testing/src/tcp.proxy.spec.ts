import net, { type AddressInfo } from 'node:net';
import { TcpProxy } from './tcp.proxy';

/** A server that sends `size` bytes to every client, then keeps the connection open. */
async function startSender(size: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(Buffer.alloc(size, 'x'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Reads from the proxy until the socket closes or `quietMs` pass with no byte. */
function receive(port: number, quietMs = 300): Promise<{ bytes: number; closed: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    const socket = net.connect(port, '127.0.0.1');
    let timer = setTimeout(() => finish(false), quietMs);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes, closed });
    };
    socket.on('data', (chunk) => {
      bytes += chunk.length;
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

describe('TCP proxy', () => {
  let sender: net.Server;
  let proxy: TcpProxy;
  beforeEach(async () => {
    sender = await startSender(1_000_000);
    proxy = await TcpProxy.start({ port: (sender.address() as AddressInfo).port });
  });
  afterEach(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => sender.close(() => resolve()));
  });

  it('passes every byte through', async () => {
    expect(await receive(proxy.port)).toEqual({ bytes: 1_000_000, closed: false });
  });

  it('cuts the connection once the server has sent a given number of bytes', async () => {
    proxy.breakAfterServerBytes(100_000, 'cut');
    const result = await receive(proxy.port, 5_000);
    expect(result.closed).toBe(true);
    expect(result.bytes).toBeLessThan(1_000_000);
  });

  it('stalls mid-stream without closing, and resumes', async () => {
    proxy.breakAfterServerBytes(100_000, 'stall');
    const result = await receive(proxy.port);
    expect(result.closed).toBe(false);
    expect(result.bytes).toBeLessThan(1_000_000);
    proxy.resume();
    expect(await receive(proxy.port)).toEqual({ bytes: 1_000_000, closed: false });
  });

  it('refuses new connections when asked', async () => {
    proxy.refuseNew();
    expect(await receive(proxy.port, 5_000)).toEqual({ bytes: 0, closed: true });
  });
});

/** Sends `text` and returns what comes back within 300 ms. */
async function exchange(port: number, text: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.write(text);
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.destroy();
  return received;
}

describe('TCP proxy triggered by what the client sends', () => {
  let echo: net.Server;
  let proxy: TcpProxy;
  beforeEach(async () => {
    // Answers every chunk with as many bytes.
    echo = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => socket.write(chunk));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await TcpProxy.start({ port: (echo.address() as AddressInfo).port });
  });
  afterEach(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('forwards the statement with the marker, then withholds the answer', async () => {
    proxy.breakWhenClientSends('SELECT', 'stall');
    const socket = net.connect(proxy.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.write('PING');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toBe('PING');
    socket.write('SELECT 1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toBe('PING');
    expect(proxy.connections).toBe(1);
    // Only that connection: another one still gets its answers.
    expect(await exchange(proxy.port, 'PONG')).toBe('PONG');
    socket.destroy();
  });

  it('resets the connection before the statement with the marker reaches the server', async () => {
    proxy.breakWhenClientSends('UPDATE', 'cut');
    const socket = net.connect(proxy.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    const closed = new Promise((resolve) => socket.on('close', resolve).on('error', () => undefined));
    socket.write('UPDATE x');
    await closed;
    expect(received).toBe('');
    expect(await exchange(proxy.port, 'again')).toBe('again');
  });
});
