using System.Globalization;

namespace Netstack.Runtime.Containers;

/// <summary>The user a container's process runs as: ids, the groups it is a member of and its home.</summary>
public sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home);

/// <summary>
/// <c>-u</c>/<c>--user</c> resolved as Docker resolves it, against the container's own
/// <c>/etc/passwd</c> and <c>/etc/group</c>: <c>uid</c>, <c>uid:gid</c>, <c>name</c>,
/// <c>name:group</c> (and the mixes). A number needs no entry (Docker runs an unknown uid with gid
/// 0); a name must have one. The user's supplementary groups are the groups listing it as a member.
/// </summary>
internal static class ContainerUsers
{
    public static readonly ContainerUser Root = new(0, 0, [], "/root");

    /// <exception cref="RuntimeException">InvalidArgument naming the user or group that is not in the image.</exception>
    public static ContainerUser Resolve(string? user, string rootfs)
    {
        if (string.IsNullOrEmpty(user))
        {
            return Root;
        }
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        var userPart = colon < 0 ? user : user[..colon];
        var groupPart = colon < 0 ? null : user[(colon + 1)..];
        if (userPart.Length == 0 || groupPart is { Length: 0 })
        {
            throw RuntimeException.Invalid($"invalid user \"{user}\": expected USER[:GROUP], names or numeric ids");
        }
        var passwd = ReadDatabase(rootfs, "passwd");
        uint uid;
        uint gid = 0;
        string home = "/";
        string? name = null;
        if (TryParseId(userPart, out uid))
        {
            // A number need not be in passwd; when it is, its primary group and home come with it.
            if (passwd.FirstOrDefault(e => e.Length >= 4 && e[2] == userPart) is { } entry)
            {
                name = entry[0];
                gid = TryParseId(entry[3], out var g) ? g : 0;
                home = entry.Length >= 6 && entry[5].Length > 0 ? entry[5] : "/";
            }
        }
        else
        {
            var entry = passwd.FirstOrDefault(e => e.Length >= 4 && e[0] == userPart)
                ?? throw RuntimeException.Invalid($"invalid user \"{user}\": unable to find user {userPart}: no matching entries in the image's /etc/passwd");
            if (!TryParseId(entry[2], out uid) || !TryParseId(entry[3], out gid))
            {
                throw RuntimeException.Invalid($"invalid user \"{user}\": the image's /etc/passwd entry of {userPart} has no numeric uid and gid");
            }
            name = userPart;
            home = entry.Length >= 6 && entry[5].Length > 0 ? entry[5] : "/";
        }

        var groups = ReadDatabase(rootfs, "group");
        if (groupPart is not null)
        {
            if (!TryParseId(groupPart, out gid))
            {
                var entry = groups.FirstOrDefault(e => e.Length >= 3 && e[0] == groupPart)
                    ?? throw RuntimeException.Invalid($"invalid user \"{user}\": unable to find group {groupPart}: no matching entries in the image's /etc/group");
                if (!TryParseId(entry[2], out gid))
                {
                    throw RuntimeException.Invalid($"invalid user \"{user}\": the image's /etc/group entry of {groupPart} has no numeric gid");
                }
            }
        }
        var additional = new List<uint>();
        if (name is not null)
        {
            foreach (var entry in groups)
            {
                if (entry.Length >= 4 && entry[3].Split(',').Contains(name, StringComparer.Ordinal)
                    && TryParseId(entry[2], out var member) && member != gid && !additional.Contains(member))
                {
                    additional.Add(member);
                }
            }
        }
        return new ContainerUser(uid, gid, additional, home);
    }

    private static bool TryParseId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    /// <summary>
    /// The colon-separated lines of the image's <c>/etc/NAME</c>; none when it has no such file. A
    /// symbolic link is not followed: read from the host, it would name a host file.
    /// </summary>
    private static List<string[]> ReadDatabase(string rootfs, string name)
    {
        var etc = Path.Combine(rootfs, "etc");
        var path = Path.Combine(etc, name);
        try
        {
            if (new DirectoryInfo(etc).LinkTarget is not null || !File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                return [];
            }
            return [.. File.ReadLines(path)
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split(':'))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
