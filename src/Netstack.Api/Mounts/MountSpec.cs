using System.Globalization;
using Netstack.Api.Contracts.Containers;

namespace Netstack.Api.Mounts;

/// <summary>A mount as both the CLI and the daemon check it: a bind of a host path, or a tmpfs.</summary>
/// <param name="Options">Mount options for the spec: a bind's propagation, a tmpfs's size, mode and flags.</param>
public sealed record MountSpec(string Type, string? Source, string Target, bool ReadOnly, IReadOnlyList<string> Options);

/// <summary>
/// The engine's three ways to ask for a mount, parsed with Docker's syntax: <c>-v</c> binds
/// (<c>HostConfig.Binds</c>), <c>--mount</c> (<c>HostConfig.Mounts</c>, and the flag's
/// <c>type=bind,source=...,target=...</c> form) and <c>--tmpfs</c> (<c>HostConfig.Tmpfs</c>). Each
/// parse returns the mount or throws <see cref="FormatException"/> saying what is wrong with the value.
/// Named volumes are not served: a bind's source must be an absolute host path.
/// </summary>
public static class MountSpecs
{
    private static readonly HashSet<string> Propagations = new(StringComparer.Ordinal) { "private", "rprivate", "shared", "rshared", "slave", "rslave" };

    // mount(8)'s tmpfs options that Docker accepts for --tmpfs (flags, then the ones with a value).
    private static readonly HashSet<string> TmpfsFlags = new(StringComparer.Ordinal)
    {
        "rw", "ro", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "sync", "async", "dirsync",
        "atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime",
        "mand", "nomand", "private", "rprivate", "shared", "rshared", "slave", "rslave", "tmpcopyup",
    };

    /// <summary><c>-v SRC:DST[:OPTS]</c>: OPTS a comma list of <c>ro</c>/<c>rw</c> and one propagation.</summary>
    public static MountSpec ParseBind(string bind)
    {
        ArgumentNullException.ThrowIfNull(bind);
        var parts = bind.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new FormatException("expected HOSTPATH:CONTAINERPATH[:ro|rw]");
        }
        var (source, target) = (parts[0], parts[1]);
        if (!source.StartsWith('/'))
        {
            throw new FormatException($"source \"{source}\" is not an absolute host path (named volumes are not supported)");
        }
        CheckTarget(target);
        var readOnly = false;
        var options = new List<string>();
        if (parts.Length == 3)
        {
            foreach (var option in parts[2].Split(','))
            {
                if (option is "ro" or "rw")
                {
                    readOnly = option == "ro";
                }
                else if (Propagations.Contains(option) && !options.Any(Propagations.Contains))
                {
                    options.Add(option);
                }
                else if (option is "z" or "Z")
                {
                    // SELinux relabelling: nothing to relabel without SELinux, as Docker on such hosts.
                }
                else
                {
                    throw new FormatException($"unknown mount option \"{option}\": use ro, rw or a propagation (rprivate, rshared, rslave, ...)");
                }
            }
        }
        return new MountSpec("bind", source, target, readOnly, options);
    }

    /// <summary><c>--tmpfs DST[:OPTS]</c> as the flag gives it, or one <c>HostConfig.Tmpfs</c> entry.</summary>
    public static MountSpec ParseTmpfs(string flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        var colon = flag.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? ParseTmpfs(flag, "") : ParseTmpfs(flag[..colon], flag[(colon + 1)..]);
    }

    public static MountSpec ParseTmpfs(string target, string options)
    {
        ArgumentNullException.ThrowIfNull(target);
        CheckTarget(target);
        var readOnly = false;
        var kept = new List<string>();
        foreach (var option in (options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? option : option[..eq];
            var value = eq < 0 ? null : option[(eq + 1)..];
            switch (key)
            {
                case "ro" or "rw" when value is null:
                    readOnly = key == "ro";
                    continue;
                case "size" when value is not null && TryParseSize(value, out _):
                case "mode" when value is not null && value.Length is > 0 and <= 4 && value.All(c => c is >= '0' and <= '7'):
                case "uid" or "gid" or "nr_inodes" or "nr_blocks" when value is not null && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _):
                    kept.Add(option);
                    continue;
            }
            if (value is null && TmpfsFlags.Contains(key))
            {
                kept.Add(option);
                continue;
            }
            throw new FormatException(key is "size" or "mode" or "uid" or "gid" or "nr_inodes" or "nr_blocks"
                ? $"bad tmpfs option \"{option}\": {key} needs {(key == "size" ? "a size such as 64m" : key == "mode" ? "octal permissions such as 1777" : "a whole number")}"
                : $"unknown tmpfs option \"{option}\"");
        }
        return new MountSpec("tmpfs", null, target, readOnly, kept);
    }

    /// <summary>One <c>HostConfig.Mounts</c> entry.</summary>
    public static MountSpec FromEngine(Mount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var target = mount.Target ?? "";
        CheckTarget(target);
        switch (mount.Type)
        {
            case "bind":
                var source = mount.Source ?? "";
                if (!source.StartsWith('/'))
                {
                    throw new FormatException($"source \"{source}\" is not an absolute host path");
                }
                var propagation = mount.BindOptions?.Propagation;
                if (!string.IsNullOrEmpty(propagation) && !Propagations.Contains(propagation))
                {
                    throw new FormatException($"unknown bind propagation \"{propagation}\": private, rprivate, shared, rshared, slave or rslave");
                }
                return new MountSpec("bind", source, target, mount.ReadOnly, string.IsNullOrEmpty(propagation) ? [] : [propagation]);
            case "tmpfs":
                if (!string.IsNullOrEmpty(mount.Source))
                {
                    throw new FormatException($"a tmpfs has no source (\"{mount.Source}\" given)");
                }
                var options = new List<string>();
                if (mount.TmpfsOptions is { } tmpfs)
                {
                    if (tmpfs.SizeBytes < 0 || tmpfs.Mode < 0 || tmpfs.Mode > 0xFFF)
                    {
                        throw new FormatException($"bad tmpfs options: size {tmpfs.SizeBytes}, mode {tmpfs.Mode}");
                    }
                    if (tmpfs.SizeBytes > 0)
                    {
                        options.Add("size=" + tmpfs.SizeBytes.ToString(CultureInfo.InvariantCulture));
                    }
                    if (tmpfs.Mode > 0)
                    {
                        options.Add("mode=" + Convert.ToString(tmpfs.Mode, 8));
                    }
                }
                return new MountSpec("tmpfs", null, target, mount.ReadOnly, options);
            default:
                throw new FormatException($"mount type \"{mount.Type}\" is not supported: bind or tmpfs (volumes are not served)");
        }
    }

    /// <summary>
    /// The <c>--mount</c> flag: comma-separated <c>key=value</c> (<c>type</c>, <c>source</c>/<c>src</c>,
    /// <c>target</c>/<c>destination</c>/<c>dst</c>, <c>readonly</c>/<c>ro</c>, <c>bind-propagation</c>,
    /// <c>tmpfs-size</c>, <c>tmpfs-mode</c>), turned into the engine's mount object.
    /// </summary>
    public static Mount ParseMountFlag(string flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        var mount = new Mount { Type = "volume" };
        foreach (var field in flag.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            var value = eq < 0 ? null : field[(eq + 1)..];
            switch (key)
            {
                case "type":
                    mount.Type = value;
                    break;
                case "source" or "src":
                    mount.Source = value;
                    break;
                case "target" or "destination" or "dst":
                    mount.Target = value;
                    break;
                case "readonly" or "ro":
                    mount.ReadOnly = value switch
                    {
                        null or "1" or "true" => true,
                        "0" or "false" => false,
                        _ => throw new FormatException($"bad {key} value \"{value}\": true or false"),
                    };
                    break;
                case "bind-propagation":
                    (mount.BindOptions ??= new MountBindOptions()).Propagation = value;
                    break;
                case "tmpfs-size":
                    if (value is null || !TryParseSize(value, out var size))
                    {
                        throw new FormatException($"bad tmpfs-size \"{value}\": a size such as 64m");
                    }
                    (mount.TmpfsOptions ??= new MountTmpfsOptions()).SizeBytes = size;
                    break;
                case "tmpfs-mode":
                    int mode;
                    try
                    {
                        mode = value is { Length: > 0 and <= 4 } ? Convert.ToInt32(value, 8) : -1;
                    }
                    catch (FormatException)
                    {
                        mode = -1;
                    }
                    (mount.TmpfsOptions ??= new MountTmpfsOptions()).Mode = mode >= 0 ? mode : throw new FormatException($"bad tmpfs-mode \"{value}\": octal permissions such as 1777");
                    break;
                default:
                    throw new FormatException($"unknown --mount field \"{key}\"");
            }
        }
        // Checked as the daemon checks it, so the flag's errors come before anything is sent.
        FromEngine(mount);
        return mount;
    }

    private static void CheckTarget(string target)
    {
        if (!target.StartsWith('/'))
        {
            throw new FormatException($"container path \"{target}\" is not absolute");
        }
        if (target.TrimEnd('/').Length == 0)
        {
            throw new FormatException("the container's root \"/\" cannot be a mount");
        }
    }

    /// <summary>A size as Docker writes it: bytes, or a number with k, m, g (powers of 1024; a trailing b allowed).</summary>
    private static bool TryParseSize(string text, out long bytes) => Resources.ResourceLimits.TryParseBytes(text, out bytes) && bytes > 0;
}
