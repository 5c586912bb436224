using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Netstack.Core;

namespace Netstack.Store.Etcd;

/// <summary>
/// Where the etcd cluster is and how to talk to it. Built from the daemon's <c>--cluster-store</c>
/// (<c>etcd://HOST:PORT[,HOST:PORT...]</c>) and <c>--cluster-store-opt</c> (Docker's names:
/// <c>kv.cacertfile</c>, <c>kv.certfile</c>, <c>kv.keyfile</c>, and <c>kv.prefix</c>) by <see cref="Parse"/>.
/// </summary>
public sealed record EtcdStoreOptions
{
    public const string DefaultPrefix = "/netstack";

    /// <summary>The store as the user named it.</summary>
    public required string Address { get; init; }

    /// <summary>host:port of every member.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    public string Prefix { get; init; } = DefaultPrefix;

    public EtcdTls? Tls { get; init; }

    /// <summary>Deadline of one attempt: a single-member store that does not answer fails within it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a call to a cluster of several members keeps trying other members and waiting out a
    /// leader election (a killed leader leaves the others without one for one to a few election
    /// timeouts, etcd's default being 1 s) before it fails. Losing one member of three is then never
    /// seen by users; losing the quorum fails within this time.
    /// </summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan WatchRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Parses the flag values; bad input names the flag and the value.</summary>
    public static EtcdStoreOptions Parse(string url, IReadOnlyDictionary<string, string>? opts = null)
    {
        const string Field = "cluster-store";
        opts ??= new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new InvalidParameterException(Field, url ?? "", "give etcd://HOST:PORT[,HOST:PORT...]");
        }
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            throw new InvalidParameterException(Field, url, "not a URL: give etcd://HOST:PORT[,HOST:PORT...]");
        }
        if (url[..scheme] != "etcd")
        {
            throw new InvalidParameterException(Field, url, $"unknown store scheme \"{url[..scheme]}\" (supported: etcd)");
        }
        var endpoints = new List<string>();
        foreach (var member in url[(scheme + 3)..].Split(','))
        {
            var colon = member.LastIndexOf(':');
            if (member.Length == 0 || member.Contains('/', StringComparison.Ordinal) || colon <= 0
                || !ushort.TryParse(member[(colon + 1)..], out var port) || port == 0)
            {
                throw new InvalidParameterException(Field, url, $"member \"{member}\" is not HOST:PORT");
            }
            endpoints.Add(member);
        }
        foreach (var key in opts.Keys)
        {
            if (key is not ("kv.cacertfile" or "kv.certfile" or "kv.keyfile" or "kv.prefix"))
            {
                throw new InvalidParameterException("cluster-store-opt", key, "unknown option (known: kv.cacertfile, kv.certfile, kv.keyfile, kv.prefix)");
            }
        }
        var prefix = opts.GetValueOrDefault("kv.prefix") ?? DefaultPrefix;
        if (prefix.Length == 0 || prefix[0] != '/')
        {
            throw new InvalidParameterException("cluster-store-opt", $"kv.prefix={prefix}", "the prefix is an absolute key path such as /netstack");
        }
        EtcdTls? tls = null;
        if (opts.ContainsKey("kv.cacertfile") || opts.ContainsKey("kv.certfile") || opts.ContainsKey("kv.keyfile"))
        {
            tls = EtcdTls.Load(opts.GetValueOrDefault("kv.cacertfile"), opts.GetValueOrDefault("kv.certfile"), opts.GetValueOrDefault("kv.keyfile"));
        }
        return new EtcdStoreOptions { Address = url, Endpoints = endpoints, Prefix = prefix, Tls = tls };
    }
}

/// <summary>TLS material for etcd, read and checked when the daemon starts.</summary>
public sealed class EtcdTls
{
    private EtcdTls(X509Certificate2? ca, X509Certificate2? client)
    {
        Ca = ca;
        Client = client;
    }

    public X509Certificate2? Ca { get; }

    public X509Certificate2? Client { get; }

    public static EtcdTls Load(string? caFile, string? certFile, string? keyFile)
    {
        if ((certFile is null) != (keyFile is null))
        {
            throw new InvalidParameterException("cluster-store-opt", certFile is null ? $"kv.keyfile={keyFile}" : $"kv.certfile={certFile}",
                "kv.certfile and kv.keyfile go together");
        }
        X509Certificate2? ca = null;
        if (caFile is not null)
        {
            try
            {
                ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidParameterException("cluster-store-opt", $"kv.cacertfile={caFile}", $"cannot read a certificate: {e.Message}");
            }
        }
        X509Certificate2? client = null;
        if (certFile is not null)
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new InvalidParameterException("cluster-store-opt", $"kv.certfile={certFile}", $"cannot read the certificate and key: {e.Message}");
            }
        }
        return new EtcdTls(ca, client);
    }

    /// <summary>Applies the CA (trusted instead of the system's roots) and the client certificate.</summary>
    public void Configure(SslClientAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Client is not null)
        {
            options.ClientCertificates = [Client];
        }
        if (Ca is { } ca)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                    && chain.Build(new X509Certificate2(certificate));
            };
        }
    }
}
