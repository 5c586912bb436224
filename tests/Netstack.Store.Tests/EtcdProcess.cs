using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Store.Etcd;

namespace Netstack.Store.Tests;

/// <summary>
/// A real etcd (Debian's etcd-server) on 127.0.0.1 with free ports and a data directory of its own,
/// started and stopped by pid; its data survives <see cref="StopAsync"/> so a restart resumes it.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("nst-etcd-").FullName;
    private readonly int _clientPort = FreePort();
    private readonly int _peerPort = FreePort();
    private Process? _process;

    public string Endpoint => $"127.0.0.1:{_clientPort}";

    public string Url => $"etcd://{Endpoint}";

    public static async Task<EtcdProcess> StartAsync()
    {
        var etcd = new EtcdProcess();
        await etcd.StartAgainAsync();
        return etcd;
    }

    public EtcdKeyValueStore OpenStore(string prefix) =>
        new(EtcdStoreOptions.Parse(Url, new Dictionary<string, string> { ["kv.prefix"] = prefix }) with { WatchRetryDelay = TimeSpan.FromMilliseconds(100) });

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("etcd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--name", "t", "--data-dir", _dataDir,
            "--listen-client-urls", $"http://{Endpoint}", "--advertise-client-urls", $"http://{Endpoint}",
            "--listen-peer-urls", $"http://127.0.0.1:{_peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{_peerPort}",
            "--initial-cluster", $"t=http://127.0.0.1:{_peerPort}", "--log-level", "error",
        })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await using var probe = OpenStore("/probe");
        for (var i = 0; ; i++)
        {
            try
            {
                await probe.GetAsync("ready");
                return;
            }
            catch (UnavailableException) when (i < 100 && !_process.HasExited)
            {
                // A readiness wait, not a measurement.
                await Task.Delay(100);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is { } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
            p.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
