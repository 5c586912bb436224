using Netstack.Linux;

namespace Netstack.Runtime.Storage;

/// <summary>
/// The container's root file system: an overlay of the image (lower, shared, never written) and
/// the container's own upper directory, mounted with mount(2) through <see cref="Mounts"/>.
/// </summary>
internal static class RootfsMounts
{
    /// <summary>Equivalent to: mount -t overlay overlay -o lowerdir=L,upperdir=U,workdir=W TARGET.</summary>
    public static Task MountOverlayAsync(string lower, string upper, string work, string target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            Mounts.MountOverlay(lower, upper, work, target);
        }
        catch (ArgumentException e)
        {
            throw RuntimeException.Invalid(e.Message);
        }
        catch (NetlinkException e)
        {
            throw RuntimeException.Failed($"mounting the overlay root file system at {target} failed: {e.Message}");
        }
        return Task.CompletedTask;
    }

    /// <summary>Unmounts <paramref name="target"/> if mounted; a busy mount is detached lazily (MNT_DETACH).</summary>
    public static Task UnmountAsync(string target, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsMountPoint(target))
        {
            return Task.CompletedTask;
        }
        try
        {
            Mounts.Unmount(target);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EBUSY)
        {
            try
            {
                Mounts.Unmount(target, detach: true);
            }
            catch (NetlinkException detachFailed)
            {
                throw RuntimeException.Failed($"unmounting {target} failed: {detachFailed.Message}");
            }
        }
        catch (NetlinkException e)
        {
            throw RuntimeException.Failed($"unmounting {target} failed: {e.Message}");
        }
        return Task.CompletedTask;
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
