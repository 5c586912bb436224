using System.Diagnostics;
using Netstack.Daemon.Cluster;
using Xunit;

namespace Netstack.Api.Tests.Cluster;

/// <summary>netstackd's --cluster-store flags: accepted forms, and start-up errors that name the flag and the value.</summary>
public sealed class ClusterStoreOptionsTests
{
    private static string? Failure(ClusterStoreOptions options)
    {
        var result = new ClusterStoreOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void NoStore_SingleHost()
    {
        Assert.False(new ClusterStoreOptions().Enabled);
        Assert.Null(Failure(new ClusterStoreOptions()));
    }

    [Fact]
    public void Members_PrefixFromFlagOrDaemonJson()
    {
        var fromFlag = new ClusterStoreOptions { ClusterStore = "etcd://10.0.0.1:2379,10.0.0.2:2379", ClusterStoreOpt = ["kv.prefix=/lab"] }.Resolve();
        var fromJson = new ClusterStoreOptions { ClusterStore = "etcd://10.0.0.1:2379", ClusterStoreOpts = new() { ["kv.prefix"] = "/json" } }.Resolve();
        var byDefault = new ClusterStoreOptions { ClusterStore = "etcd://10.0.0.1:2379" }.Resolve();

        Assert.Equal(["10.0.0.1:2379", "10.0.0.2:2379"], fromFlag.Endpoints);
        Assert.Equal("/lab", fromFlag.Prefix);
        Assert.Equal("/json", fromJson.Prefix);
        Assert.Equal("/netstack", byDefault.Prefix);
    }

    [Theory]
    [InlineData("consul://10.0.0.1:8500", null, "unknown store scheme \"consul\"")]
    [InlineData("10.0.0.1:2379", null, "not a URL")]
    [InlineData("etcd://10.0.0.1", null, "member \"10.0.0.1\" is not HOST:PORT")]
    [InlineData("etcd://10.0.0.1:99999", null, "member \"10.0.0.1:99999\"")]
    [InlineData("etcd://10.0.0.1:2379", "kv.cacertfile=/nonexistent/ca.pem", "kv.cacertfile=/nonexistent/ca.pem")]
    [InlineData("etcd://10.0.0.1:2379", "kv.certfile=/nonexistent/c.pem", "kv.certfile and kv.keyfile go together")]
    [InlineData("etcd://10.0.0.1:2379", "kv.nosuch=1", "unknown option")]
    [InlineData("etcd://10.0.0.1:2379", "prefix", "expected KEY=VALUE")]
    [InlineData("etcd://10.0.0.1:2379", "kv.prefix=relative", "absolute key path")]
    [InlineData(null, "kv.prefix=/x", "given without --cluster-store")]
    public void BadValue_FailureNamesFlagAndValue(string? store, string? opt, string expected)
    {
        var failure = Failure(new ClusterStoreOptions { ClusterStore = store, ClusterStoreOpt = opt is null ? [] : [opt] });

        Assert.NotNull(failure);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.Contains("cluster-store", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsFilesThatAreNotCertificates_Refused()
    {
        var dir = Directory.CreateTempSubdirectory("nst-tls-").FullName;
        try
        {
            var cert = Path.Combine(dir, "c.pem");
            var key = Path.Combine(dir, "k.pem");
            File.WriteAllText(cert, "not a certificate");
            File.WriteAllText(key, "not a key");

            var failure = Failure(new ClusterStoreOptions { ClusterStore = "etcd://10.0.0.1:2379", ClusterStoreOpt = [$"kv.certfile={cert}", $"kv.keyfile={key}"] });

            Assert.NotNull(failure);
            Assert.Contains($"kv.certfile={cert}", failure, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Netstackd_BadStore_ExitsAtStartWithTheFlagNamed()
    {
        var dir = Directory.CreateTempSubdirectory("nst-cs-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "netstackd.dll"), "--root", Path.Combine(dir, "root"), "--exec-root", Path.Combine(dir, "exec"),
                "-H", "unix://" + Path.Combine(dir, "s.sock"), "--cluster-store", "zookeeper://10.0.0.1:2181", "--config-file", WriteEmptyConfig(dir),
            })
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("cluster-store", error, StringComparison.Ordinal);
            Assert.Contains("zookeeper", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "s.sock")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string WriteEmptyConfig(string dir)
    {
        var path = Path.Combine(dir, "daemon.json");
        File.WriteAllText(path, "{}");
        return path;
    }
}
