using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Netstack.Daemon.Hosting;

/// <summary>This daemon's stable id (<c>/info</c>'s ID), kept in <c>ROOT/engine-id</c> across restarts.</summary>
internal sealed class DaemonIdentity
{
    public DaemonIdentity(IOptions<DaemonOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Path.Combine(options.Value.Root, "engine-id");
        try
        {
            var existing = File.Exists(path) ? File.ReadAllText(path).Trim() : "";
            if (existing.Length == 64 && existing.All(char.IsAsciiHexDigitLower))
            {
                Id = existing;
                return;
            }
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            Directory.CreateDirectory(options.Value.Root);
            File.WriteAllText(path, Id + "\n");
        }
        catch (IOException)
        {
            // A read-only root still serves; the id then lasts for this run only.
            Id ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        }
    }

    public string Id { get; }
}
