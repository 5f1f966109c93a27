def test_debug(coach):
    r = coach.say("dbg1", "my coworker found out i took credit for her project at work")
    print("REPLY", [x["text"][:40] for x in r])
