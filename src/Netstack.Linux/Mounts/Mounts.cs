namespace Netstack.Linux;

/// <summary>
/// mount(2) and umount2(2) for file systems other parts need (the runtime's container root file
/// systems), so that no mount(8)/umount(8) process is started. Errors are
/// <see cref="NetlinkException"/> with the errno and the operation, like every other kernel call here.
/// </summary>
public static class Mounts
{
    /// <summary>
    /// Mounts an overlay of <paramref name="lower"/> (read-only) and <paramref name="upper"/>
    /// (writable, <paramref name="work"/> on the same file system) at <paramref name="target"/>.
    /// Equivalent to <c>mount -t overlay overlay -o lowerdir=L,upperdir=U,workdir=W TARGET</c>.
    /// </summary>
    public static void MountOverlay(string lower, string upper, string work, string target)
    {
        foreach (var (name, path) in new[] { (nameof(lower), lower), (nameof(upper), upper), (nameof(work), work), (nameof(target), target) })
        {
            ArgumentException.ThrowIfNullOrEmpty(path, name);
            // The overlay option string separates options with ',' and lower layers with ':'.
            if (name != nameof(target) && (path.Contains(',', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal)))
            {
                throw new ArgumentException($"{name} directory \"{path}\" contains ',' or ':', which overlayfs options cannot carry", name);
            }
        }
        var operation = $"mount overlay on {target}";
        var source = Utf8Path.Of("overlay");
        var dest = Utf8Path.Of(target);
        var data = Utf8Path.Of($"lowerdir={lower},upperdir={upper},workdir={work}");
        unsafe
        {
            fixed (byte* s = source)
            fixed (byte* t = dest)
            fixed (byte* d = data)
            {
                if (Interop.Mount(s, t, s, 0, d) != 0)
                {
                    throw NetlinkException.Create(operation, ErrnoText.Last());
                }
            }
        }
    }

    /// <summary>
    /// Unmounts <paramref name="target"/>; with <paramref name="detach"/> a busy mount is detached
    /// now and freed when its last user goes (MNT_DETACH). Returns false when nothing is mounted
    /// there (the kernel's EINVAL). Equivalent to <c>umount [-l] TARGET</c>.
    /// </summary>
    public static bool Unmount(string target, bool detach = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var path = Utf8Path.Of(target);
        unsafe
        {
            fixed (byte* t = path)
            {
                if (Interop.Umount2(t, detach ? Interop.MNT_DETACH : 0) == 0)
                {
                    return true;
                }
            }
        }
        var errno = ErrnoText.Last();
        return errno == Errno.EINVAL ? false : throw NetlinkException.Create($"umount {target}", errno);
    }
}
