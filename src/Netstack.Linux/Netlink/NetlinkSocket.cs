using System.Buffers.Binary;

namespace Netstack.Linux.Netlink;

/// <summary>
/// An AF_NETLINK socket (NETLINK_ROUTE unless another protocol is given: NETLINK_NETFILTER for nf_tables). It belongs to the network namespace of the thread that
/// opened it, for its whole life, whichever thread later uses it. Not thread-safe by itself: the
/// owner serialises use.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    internal const int NETLINK_ROUTE = 0;
    internal const int NETLINK_NETFILTER = 12;

    // Pipelined requests leave all their acks queued at once; 8 MiB holds thousands of them.
    // SO_RCVBUFFORCE lets root go past net.core.rmem_max; without root the plain option is tried.
    private const int ReceiveBufferBytes = 8 << 20;
    private const int SendBufferBytes = 4 << 20;

    private readonly SafeFileDescriptor _fd;

    private NetlinkSocket(SafeFileDescriptor fd, uint portId)
    {
        _fd = fd;
        PortId = portId;
    }

    /// <summary>The port id the kernel assigned at bind; replies carry it in nlmsg_pid.</summary>
    public uint PortId { get; }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open(int receiveBufferBytes = ReceiveBufferBytes, int protocol = NETLINK_ROUTE)
    {
        var raw = Interop.Socket(Interop.AF_NETLINK, Interop.SOCK_RAW | Interop.SOCK_CLOEXEC, protocol);
        if (raw < 0)
        {
            throw NetlinkException.Create("netlink socket", ErrnoText.Last());
        }
        var fd = new SafeFileDescriptor(raw);
        try
        {
            SetBuffer(fd, Interop.SO_RCVBUFFORCE, Interop.SO_RCVBUF, receiveBufferBytes);
            SetBuffer(fd, Interop.SO_SNDBUFFORCE, Interop.SO_SNDBUF, SendBufferBytes);
            // Errors carry only the request's header, not its body (smaller acks), and the kernel's text.
            SetInt(fd, Interop.SOL_NETLINK, Interop.NETLINK_CAP_ACK, 1);
            SetInt(fd, Interop.SOL_NETLINK, Interop.NETLINK_EXT_ACK, 1);

            // struct sockaddr_nl: family u16, pad u16, pid u32 (0: kernel assigns), groups u32.
            var address = stackalloc byte[12];
            new Span<byte>(address, 12).Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(address, 2), Interop.AF_NETLINK);
            if (Interop.Bind(fd, address, 12) != 0)
            {
                throw NetlinkException.Create("netlink bind", ErrnoText.Last());
            }
            uint length = 12;
            if (Interop.GetSockName(fd, address, &length) != 0)
            {
                throw NetlinkException.Create("netlink getsockname", ErrnoText.Last());
            }
            var portId = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(address + 4, 4));
            return new NetlinkSocket(fd, portId);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Joins an rtnetlink multicast group (RTNLGRP_*), for event sockets.</summary>
    public void JoinGroup(int group) => SetInt(_fd, Interop.SOL_NETLINK, Interop.NETLINK_ADD_MEMBERSHIP, group);

    /// <summary>Makes <see cref="Receive"/> return -1/EAGAIN after the timeout, so a reader can notice cancellation.</summary>
    public void SetReceiveTimeout(TimeSpan timeout)
    {
        // struct timeval: tv_sec s64, tv_usec s64.
        var tv = stackalloc long[2];
        tv[0] = (long)timeout.TotalSeconds;
        tv[1] = timeout.Milliseconds * 1000L;
        if (Interop.SetSockOpt(_fd, Interop.SOL_SOCKET, Interop.SO_RCVTIMEO, tv, 16) != 0)
        {
            throw NetlinkException.Create("netlink setsockopt SO_RCVTIMEO", ErrnoText.Last());
        }
    }

    public void Send(ReadOnlySpan<byte> data, string operation)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                var sent = Interop.Send(_fd, p, (nuint)data.Length, 0);
                if (sent >= 0)
                {
                    return;
                }
                var errno = ErrnoText.Last();
                if (errno != Errno.EINTR)
                {
                    throw NetlinkException.Create(operation + " (send)", errno);
                }
            }
        }
    }

    /// <summary>Receives one datagram; returns its length, or -1 with <paramref name="errno"/> set.</summary>
    public int Receive(Span<byte> buffer, out Errno errno)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var received = Interop.Recv(_fd, p, (nuint)buffer.Length, 0);
                if (received >= 0)
                {
                    errno = Errno.None;
                    return (int)received;
                }
                errno = ErrnoText.Last();
                if (errno != Errno.EINTR)
                {
                    return -1;
                }
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    private static void SetBuffer(SafeFileDescriptor fd, int forced, int plain, int bytes)
    {
        if (!TrySetInt(fd, Interop.SOL_SOCKET, forced, bytes))
        {
            TrySetInt(fd, Interop.SOL_SOCKET, plain, bytes);
        }
    }

    private static void SetInt(SafeFileDescriptor fd, int level, int name, int value)
    {
        if (!TrySetInt(fd, level, name, value))
        {
            throw NetlinkException.Create($"netlink setsockopt {level}/{name}", ErrnoText.Last());
        }
    }

    private static bool TrySetInt(SafeFileDescriptor fd, int level, int name, int value) =>
        Interop.SetSockOpt(fd, level, name, &value, sizeof(int)) == 0;
}
