-- A person's direct rooms by either of the two people, whether or not they are still a
-- member (a deleted account has left them): the profile mirror finds the room-list rows
-- that show that person (functions/db/rooms.py direct_peers_of).
CREATE INDEX IF NOT EXISTS rooms_direct_first_person
    ON rooms (split_part(direct_key, ':', 1)) WHERE kind = 'direct';
CREATE INDEX IF NOT EXISTS rooms_direct_second_person
    ON rooms (split_part(direct_key, ':', 2)) WHERE kind = 'direct';
