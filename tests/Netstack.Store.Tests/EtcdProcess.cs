using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Netstack.Core;
using Netstack.Store.Etcd;

namespace Netstack.Store.Tests;

/// <summary>
/// A real etcd (Debian's etcd-server) on 127.0.0.1 with free ports and a data directory of its own,
/// started and stopped by pid; its data survives <see cref="StopAsync"/> so a restart resumes it.
/// Given <see cref="EtcdTlsFiles"/>, it serves clients over TLS only and asks them for a
/// certificate signed by the files' CA (<c>--client-cert-auth</c>).
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("nst-etcd-").FullName;
    private readonly int _clientPort = FreePort();
    private readonly int _peerPort = FreePort();
    private readonly EtcdTlsFiles? _tls;
    private Process? _process;

    private EtcdProcess(EtcdTlsFiles? tls) => _tls = tls;

    public string Endpoint => $"127.0.0.1:{_clientPort}";

    public string Url => $"etcd://{Endpoint}";

    public static async Task<EtcdProcess> StartAsync(EtcdTlsFiles? tls = null)
    {
        var etcd = new EtcdProcess(tls);
        await etcd.StartAgainAsync();
        return etcd;
    }

    /// <summary>A store under <paramref name="prefix"/>; over TLS with the CA and client certificate when the etcd has them.</summary>
    public EtcdKeyValueStore OpenStore(string prefix) => OpenStore(prefix, _tls is null ? [] : ClientOptions(_tls.CaFile, withClientCertificate: true));

    /// <summary>A store with exactly these <c>--cluster-store-opt</c> options besides the prefix.</summary>
    public EtcdKeyValueStore OpenStore(string prefix, IReadOnlyDictionary<string, string> options)
    {
        var opts = new Dictionary<string, string>(options) { ["kv.prefix"] = prefix };
        return new(EtcdStoreOptions.Parse(Url, opts) with { WatchRetryDelay = TimeSpan.FromMilliseconds(100) });
    }

    /// <summary>The TLS options a client of this etcd would give: the CA to trust and, optionally, its certificate and key.</summary>
    public Dictionary<string, string> ClientOptions(string caFile, bool withClientCertificate)
    {
        var tls = _tls ?? throw new InvalidOperationException("this etcd serves plain http");
        var options = new Dictionary<string, string> { ["kv.cacertfile"] = caFile };
        if (withClientCertificate)
        {
            options["kv.certfile"] = tls.ClientCertFile;
            options["kv.keyfile"] = tls.ClientKeyFile;
        }
        return options;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("etcd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var scheme = _tls is null ? "http" : "https";
        if (_tls is { } tls)
        {
            foreach (var arg in new[] { "--cert-file", tls.ServerCertFile, "--key-file", tls.ServerKeyFile, "--trusted-ca-file", tls.CaFile, "--client-cert-auth" })
            {
                start.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in new[]
        {
            "--name", "t", "--data-dir", _dataDir,
            "--listen-client-urls", $"{scheme}://{Endpoint}", "--advertise-client-urls", $"{scheme}://{Endpoint}",
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
