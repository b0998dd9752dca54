using NUnit.Framework;
using Overlay.Engine;
using Overlay.Wire;

namespace Overlay.Core.Tests.Engine;

public class CloseCauseTests
{
    [Test]
    public void FirstReasonFound_IsKept_WhateverFollows()
    {
        var cause = new CloseCause();
        var malformed = new WireFormatException(WireError.PartialMessageBudget, "too many partial messages");
        cause.Note(malformed);
        cause.Note(WireError.Silent, null);
        cause.Note(new IOException("aborted"));

        Assert.That(cause.Reason, Is.EqualTo(WireError.PartialMessageBudget));
        Assert.That(cause.Exception, Is.SameAs(malformed));
    }

    [Test]
    public void ExceptionWithoutReason_DoesNotHideALaterReason()
    {
        // The abort that silence triggers fails the loop with a plain exception; silence noted after it still counts.
        var cause = new CloseCause();
        var aborted = new IOException("aborted");
        cause.Note(aborted);
        cause.Note(WireError.Silent, null);

        Assert.That(cause.Reason, Is.EqualTo(WireError.Silent));
        Assert.That(cause.Exception, Is.SameAs(aborted));
    }

    [Test]
    public void NothingNoted_MeansNoReason()
    {
        var cause = new CloseCause();
        Assert.That(cause.Reason, Is.EqualTo(WireError.None));
        Assert.That(cause.Exception, Is.Null);
    }
}
