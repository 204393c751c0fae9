package io.huibo.sim;

/** The human listening on a channel: what they key in after a prompt, and whether they hang up during it. */
interface Person {
    /** Digits keyed in when asked after {@code prompt} (the file name of the prompt heard last); "" for none. */
    String keysAfter(String prompt);

    boolean hangsUpDuring(String prompt);

    /** The person puts the phone down: their channel hangs up (cause 16). */
    void hangUp();

    Person NOBODY = new Person() {
        @Override
        public String keysAfter(String prompt) {
            return "";
        }

        @Override
        public boolean hangsUpDuring(String prompt) {
            return false;
        }

        @Override
        public void hangUp() {}
    };
}
