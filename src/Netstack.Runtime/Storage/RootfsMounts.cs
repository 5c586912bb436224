using Netstack.Runtime.Processes;

namespace Netstack.Runtime.Storage;

/// <summary>
/// The container's root file system: an overlay of the image (lower, shared, never written) and
/// the container's own upper directory. Mounted with util-linux mount(8) for now; this belongs in
/// Netstack.Linux as mount(2) once it offers it.
/// </summary>
internal static class RootfsMounts
{
    /// <summary>Equivalent to: mount -t overlay overlay -o lowerdir=L,upperdir=U,workdir=W TARGET.</summary>
    public static async Task MountOverlayAsync(string lower, string upper, string work, string target, CancellationToken cancellationToken)
    {
        foreach (var path in new[] { lower, upper, work })
        {
            // The overlay option string separates options with ',' and lower layers with ':'.
            if (path.Contains(',', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
            {
                throw RuntimeException.Invalid($"path \"{path}\" contains ',' or ':', which overlayfs options cannot carry");
            }
        }
        var result = await CommandRunner.RunAsync(
            "mount",
            ["-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={upper},workdir={work}", target],
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw RuntimeException.Failed($"mounting the overlay root file system at {target} failed: {result.Diagnostic}");
        }
    }

    /// <summary>Unmounts <paramref name="target"/> if mounted; a busy mount is detached lazily (MNT_DETACH).</summary>
    public static async Task UnmountAsync(string target, CancellationToken cancellationToken)
    {
        if (!IsMountPoint(target))
        {
            return;
        }
        var result = await CommandRunner.RunAsync("umount", [target], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && IsMountPoint(target))
        {
            result = await CommandRunner.RunAsync("umount", ["-l", target], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && IsMountPoint(target))
            {
                throw RuntimeException.Failed($"unmounting {target} failed: {result.Diagnostic}");
            }
        }
    }

    /// <summary>Whether a mount sits at <paramref name="path"/> in our mount namespace (/proc/self/mountinfo field 5).</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path);
        if (full.Length > 1)
        {
            full = full.TrimEnd('/');
        }
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ', 6);
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as three octal digits (\040).</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var chars = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                chars.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                chars.Append(field[i]);
            }
        }
        return chars.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
