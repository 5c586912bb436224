using System.Runtime.InteropServices;

namespace Netstack.Linux;

/// <summary>
/// Waiting for a libpcap handle in non-blocking mode to have frames. In TPACKET_V3 mode libpcap's
/// own wait blocks until the kernel hands over a block, and the kernel's block timer hands over
/// only blocks that hold frames: on a quiet interface a blocking read never returns. So the reader
/// asks libpcap without blocking and, when it has nothing, polls the packet socket with a time-out.
/// </summary>
public static class PcapReadiness
{
    /// <summary>The packet socket under <paramref name="pcap"/> (<c>pcap_get_selectable_fd</c>).</summary>
    public static int SelectableDescriptor(SafeHandle pcap)
    {
        ArgumentNullException.ThrowIfNull(pcap);
        var fd = Interop.PcapGetSelectableFd(pcap.DangerousGetHandle());
        return fd >= 0 ? fd : throw new InvalidOperationException("pcap_get_selectable_fd: the capture has no descriptor to wait on");
    }

    /// <summary>True when <paramref name="descriptor"/> is readable within <paramref name="timeoutMs"/> (or a signal cut the wait short).</summary>
    public static unsafe bool Wait(int descriptor, int timeoutMs)
    {
        var fd = new Interop.PollFd { Fd = descriptor, Events = Interop.POLLIN };
        var ready = Interop.Poll(&fd, 1, timeoutMs);
        // EINTR (-1) counts as ready: the caller simply asks libpcap again.
        return ready != 0;
    }
}
